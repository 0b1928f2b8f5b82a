package dev.juggler.inference.internal;

import java.nio.charset.StandardCharsets;
import org.bytedeco.ffmpeg.avutil.LogCallback;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacpp.BytePointer;

/**
 * The errors FFmpeg's video decoders log, counted per thread, so that a frame source can tell a picture
 * its decoder complained about from a clean one. Why: some decoders (MS-MPEG4, for example) conceal a
 * damaged macroblock or a bad DC value without flagging the picture as corrupt; their log line is then
 * the only sign of damage. A frame source reads {@link #count} before and after it grabs a picture.
 *
 * <p>What counts: a message at error level or worse that the decoder logs on the calling thread, except
 * lines in which it says it ignores something (as {@code ffmpeg -threads 1 -v level+info} would print it
 * as an {@code [error]}); lines are told apart by the name in FFmpeg's prefix. A decoder that runs frame-threaded logs from
 * its own threads, out of step with the pictures it returns; those lines land on other threads' counters
 * and are not counted for any picture (such pictures are still checked by their corrupt flags).
 *
 * <p>Installs one process-wide FFmpeg log callback, which replaces FFmpeg's own printing: fatal lines
 * still go to standard error, and with {@code -Djuggler.ffmpeg.log=keep} every line at FFmpeg's log
 * level does. Thread-safe: the counters are per thread.
 */
public final class DecoderErrors {

    // -Djuggler.ffmpeg.log=keep: FFmpeg's log goes on to standard error at FFmpeg's level, until quiet().
    private static volatile boolean printAll = "keep".equalsIgnoreCase(System.getProperty(VideoFiles.LOG_PROPERTY, ""));

    private static final ThreadLocal<State> STATE = ThreadLocal.withInitial(State::new);
    // FFmpeg keeps only the callback's native address: this reference keeps the callback alive.
    private static final Callback CALLBACK = new Callback();

    static {
        // Error lines must reach the callback; what is printed is decided there, by the level a host keeps.
        if (!printAll || avutil.av_log_get_level() < avutil.AV_LOG_ERROR) {
            avutil.av_log_set_level(avutil.AV_LOG_ERROR);
        }
        avutil.setLogCallback(CALLBACK);
    }

    private DecoderErrors() {
    }

    /** Installs the callback (idempotent): called before the first decoder is opened. */
    static void install() {
        // the static initializer does the work
    }

    /** Prints only fatal lines from now on, and makes sure error lines still reach the counters. */
    public static void quiet() {
        printAll = false;
        avutil.av_log_set_level(avutil.AV_LOG_ERROR);
    }

    /**
     * How many errors the decoder named {@code codec} (FFmpeg's short name, such as {@code msmpeg4v3}) has
     * logged on this thread so far; only differences mean anything. A demuxer's lines ("partial file") are
     * not a picture's damage: they name the container, and truncation is told apart elsewhere.
     */
    public static long count(String codec) {
        return STATE.get().counts.getOrDefault(codec, 0L);
    }

    /** The last error logged on this thread (with FFmpeg's prefix naming who logged it), or "" if none. */
    public static String last() {
        return STATE.get().last;
    }

    private static final class State {
        final java.util.Map<String, Long> counts = new java.util.HashMap<>();
        String last = "";
    }

    /** Who logged a line: {@code msmpeg4v3} of {@code "[msmpeg4v3 @ 0x55d0c8] dc overflow"}, or "". */
    static String source(String line) {
        int at = line.indexOf(" @ ");
        return line.startsWith("[") && at > 1 && line.indexOf(']') > at ? line.substring(1, at) : "";
    }

    // JavaCPP's own wrapper formats FFmpeg's line natively (a va_list cannot cross into Java portably).
    private static final class Callback extends LogCallback {
        @Override
        public void call(int level, BytePointer line) {
            try {
                boolean error = level <= avutil.AV_LOG_ERROR;
                boolean print = level <= avutil.av_log_get_level() && (printAll || level <= avutil.AV_LOG_FATAL);
                if (!error && !print) {
                    return;
                }
                String text = line == null || line.isNull() ? "" : line.getString(StandardCharsets.UTF_8);
                if (print) {
                    System.err.print(text);
                }
                if (error && !text.contains("ignoring")) {
                    State state = STATE.get();
                    state.counts.merge(source(text), 1L, Long::sum);
                    state.last = text.strip();
                }
            } catch (Throwable t) {
                // An exception must not unwind into FFmpeg's C code; a lost log line is the lesser harm.
            }
        }
    }
}

package dev.juggler.stage;

import dev.juggler.JugglerException;
import java.io.IOException;
import java.nio.channels.ClosedByInterruptException;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The byte-moving part of {@link StagingProtocol}: bring {@code <name>.part} up to the source's length
 * (resuming what is there, starting over if it is longer than the source), then verify its size and
 * checksum, deleting a bad copy so that a retry starts afresh. The rename and the accounting stay in
 * the protocol. Immutable and thread-safe; one call per file name at a time.
 */
final class ResumableCopy {

    private static final Logger LOG = LoggerFactory.getLogger(StagingProtocol.class);

    private final StagingTransport transport;
    private final boolean checksum;

    ResumableCopy(StagingTransport transport, boolean checksum) {
        this.transport = transport;
        this.checksum = checksum;
    }

    /**
     * Makes {@code part} a verified copy of {@code source}.
     *
     * @param stop polled between buffers; when it turns true the copy stops and {@code stopped} is thrown
     * @throws JugglerException transient for I/O failures, stops and bad copies; a
     *     {@link dev.juggler.video.VideoException} if the source cannot be read
     */
    void copy(String id, StageSource source, String part, StageListener listener, BooleanSupplier stop,
            Supplier<JugglerException> stopped) {
        String who = StagedNames.printable(id);
        long size = source.size();
        try {
            long have = transport.size(part).orElse(0);
            if (have > size) {
                LOG.warn("video {}: {} is longer ({} bytes) than the source ({}); starting over", who, part, have, size);
                transport.remove(part);
                have = 0;
            } else if (have > 0) {
                LOG.info("video {}: resuming from byte {} of {} in {}", who, have, size, transport.describe());
            }
            try (SourceUpload upload = new SourceUpload(id, source, listener, stop, checksum)) {
                try {
                    upload.open(have);
                    if (!upload.stopRequested()) {
                        append(part, upload, stopped);
                    }
                    if (!upload.stopRequested()) {
                        upload.finishDigest();
                    }
                    if (upload.stopRequested()) {
                        throw stopped.get();
                    }
                } finally {
                    if (upload.interrupted()) {
                        Thread.currentThread().interrupt(); // kept for the caller, whatever the transport did with it
                    }
                }
                verify(who, source, size, part, upload.sha256Hex());
            }
        } catch (ClosedByInterruptException e) {
            throw JugglerException.transientFailure("interrupted while staging video " + who
                    + "; the partial copy is kept and a later stage() resumes it", e);
        } catch (IOException e) {
            throw JugglerException.transientFailure("staging video " + who + " from " + source.describe() + " into " + transport.describe()
                    + " failed: " + e + "; the partial copy is kept and a later stage() resumes it", e);
        }
    }

    /** Appends; a failure that a stop caused (a transport gives up when interrupted) is reported as the stop. */
    private void append(String part, SourceUpload upload, Supplier<JugglerException> stopped) throws IOException {
        try {
            transport.append(part, upload);
        } catch (IOException | RuntimeException e) {
            if (!upload.stopRequested()) {
                throw e;
            }
            JugglerException stop = stopped.get();
            stop.addSuppressed(e);
            throw stop;
        }
    }

    private void verify(String who, StageSource source, long size, String part, String sourceSha) throws IOException {
        long copy = transport.size(part).orElse(-1);
        long sourceNow = source.sizeNow();
        if (copy != size || sourceNow != size) {
            transport.remove(part);
            throw JugglerException.transientFailure("video " + who + ": the copy in " + transport.describe() + " has " + copy
                    + " bytes, the source " + source.describe() + " had " + size + " and now has " + sourceNow
                    + "; the copy was deleted, retry", null);
        }
        if (sourceSha == null) {
            return;
        }
        Optional<String> copySha = transport.sha256(part);
        if (copySha.isPresent() && !copySha.get().equalsIgnoreCase(sourceSha)) {
            transport.remove(part);
            throw JugglerException.transientFailure("video " + who + ": checksum mismatch, the copy's SHA-256 " + copySha.get()
                    + " differs from the source's " + sourceSha + " (" + source.describe() + "); the copy was deleted, retry", null);
        }
    }
}

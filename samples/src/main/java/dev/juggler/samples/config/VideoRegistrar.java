package dev.juggler.samples.config;

import dev.juggler.ledger.TrackSpec;
import dev.juggler.ledger.VideoRecord;
import dev.juggler.ledger.WorkLedger;
import dev.juggler.samples.config.VideoCandidate.Refusal;
import dev.juggler.samples.config.VideoCandidate.ScanResult;
import dev.juggler.inference.video.ImageFolders;
import dev.juggler.inference.video.ImageProblem;
import dev.juggler.inference.video.VideoProbe;
import dev.juggler.video.VideoException;
import dev.juggler.video.Video;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Registers scanned videos and their tracks in a ledger. A file (or image folder: its size is that of all its
 * images) whose id is already registered with the same size is not probed again (its location and tags are updated if they changed, and its tracks are ensured),
 * so a re-run over a large corpus costs one ledger read per file. New files are probed on a small pool
 * (probing is I/O-bound); a file that cannot be read as video, has no frames, or whose size changed since it
 * was registered is refused with the reason. An image folder is registered with one frame per image file even
 * when some images cannot be read; those are listed in the report. Ledger failures are not caught: they end
 * the run.
 *
 * <p>One instance may register several scans, one at a time; not thread-safe.
 */
public final class VideoRegistrar {

    /** Default probing threads. */
    public static final int DEFAULT_PROBE_THREADS = 2;

    /** Reads a video file's frame count, rate and size, and whether it was cut short (normally {@code VideoProbe::inspect}). */
    @FunctionalInterface
    public interface Prober {
        VideoProbe.Inspection probe(String id, Path file, Map<String, String> tags);
    }

    /** What happened to one file. */
    public enum Outcome { ADDED, ALREADY_REGISTERED, REFUSED }

    /** Hears of each file as it is done, in scan order, on the calling thread. */
    @FunctionalInterface
    public interface Listener {
        void done(VideoCandidate candidate, Outcome outcome, int doneSoFar, int total);
    }

    /**
     * The counts of one run. Immutable and thread-safe.
     *
     * @param added newly registered videos
     * @param alreadyRegistered videos found registered with the same size (not probed)
     * @param refused refused files with reasons, scan refusals first
     * @param cutShort files registered although their last frames cannot be read (those frames fail
     *     when analysed, as a failure of their own), with which frames
     * @param probed files probed
     * @param damagedImages images of newly registered image folders that cannot be read (the folder is
     *     registered; each such frame fails when analysed, the others do not), one entry per image: the image's
     *     path, and its frame and why
     * @param imageNotes images of newly registered image folders that can be read but are unusual (another
     *     size than the first, a misleading extension), likewise
     */
    public record Report(int added, int alreadyRegistered, List<Refusal> refused, List<Refusal> cutShort, int probed,
            List<Refusal> damagedImages, List<Refusal> imageNotes) {
        public Report {
            refused = List.copyOf(refused);
            cutShort = List.copyOf(cutShort);
            damagedImages = List.copyOf(damagedImages);
            imageNotes = List.copyOf(imageNotes);
        }
    }

    private final WorkLedger ledger;
    private final Prober prober;
    private final int threads;

    /**
     * @param ledger the ledger to register in (not closed here)
     * @param prober reads new files
     * @param threads probing threads, at least 1
     */
    public VideoRegistrar(WorkLedger ledger, Prober prober, int threads) {
        this.ledger = Objects.requireNonNull(ledger, "ledger");
        this.prober = Objects.requireNonNull(prober, "prober");
        if (threads < 1) {
            throw new IllegalArgumentException("threads = " + threads + ": must be at least 1");
        }
        this.threads = threads;
    }

    /** Registers the candidates of {@code scan}, telling {@code listener} (may be {@code null}) about each. */
    public Report register(ScanResult scan, Listener listener) {
        List<Refusal> refused = new ArrayList<>(scan.refused());
        List<Refusal> cutShort = new ArrayList<>();
        List<Refusal> damagedImages = new ArrayList<>();
        List<Refusal> imageNotes = new ArrayList<>();
        List<VideoCandidate> candidates = scan.candidates();
        int total = candidates.size();
        int added = 0;
        int already = 0;
        AtomicInteger probed = new AtomicInteger();
        AtomicInteger threadNumber = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "juggler-probe-" + threadNumber.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        try {
            // Known files are decided at once; new ones are probed in the background, in scan order.
            List<Future<VideoProbe.Inspection>> probes = new ArrayList<>(total);
            List<Check> known = new ArrayList<>(total);
            for (VideoCandidate c : candidates) {
                Check check = checkRegistered(c);
                known.add(check);
                probes.add(check == null ? pool.submit(() -> {
                    probed.incrementAndGet();
                    return prober.probe(c.id(), c.file(), c.tags());
                }) : null);
            }
            for (int i = 0; i < total; i++) {
                VideoCandidate c = candidates.get(i);
                Outcome outcome;
                Check check = known.get(i);
                if (check != null) {
                    outcome = check.refusal() == null ? Outcome.ALREADY_REGISTERED : Outcome.REFUSED;
                    if (outcome == Outcome.REFUSED) {
                        refused.add(new Refusal(c.file().toString(), check.refusal()));
                    } else {
                        addTracks(c, check.registered());
                        already++;
                    }
                } else {
                    String problem = null;
                    Video video = null;
                    try {
                        VideoProbe.Inspection inspection = probes.get(i).get();
                        video = inspection.video();
                        if (inspection.isCutShort()) {
                            cutShort.add(new Refusal(c.file().toString(), inspection.describe()));
                        }
                        for (ImageProblem p : inspection.imageProblems()) {
                            (p.severity() == ImageProblem.Severity.DAMAGED ? damagedImages : imageNotes)
                                    .add(new Refusal(c.file().resolve(p.fileName()).toString(), "frame " + p.frame() + ": "
                                            + p.reason()));
                        }
                        if (video.frameCount() == 0) {
                            problem = "has no video frames";
                        }
                    } catch (ExecutionException e) {
                        Throwable cause = e.getCause();
                        problem = cause instanceof dev.juggler.JugglerException ? cause.getMessage()
                                : cause.getClass().getSimpleName() + ": " + cause.getMessage();
                    }
                    if (problem == null) {
                        ledger.registerVideo(video);
                        addTracks(c, video);
                        added++;
                        outcome = Outcome.ADDED;
                    } else {
                        refused.add(new Refusal(c.file().toString(), problem));
                        outcome = Outcome.REFUSED;
                    }
                }
                if (listener != null) {
                    listener.done(c, outcome, i + 1, total);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw dev.juggler.JugglerException.permanentFailure("interrupted while registering videos", e);
        } finally {
            pool.shutdownNow();
        }
        return new Report(added, already, refused, cutShort, probed.get(), damagedImages, imageNotes);
    }

    // A file already known: its registered video, or why it is refused.
    private record Check(Video registered, String refusal) {
    }

    /**
     * {@code null} if the file is new (probe it); else the registered video (location and tags brought up to
     * date) or why it is refused.
     */
    private Check checkRegistered(VideoCandidate c) {
        long size;
        try {
            // An image folder's size is the sum of its images': adding, removing or changing one changes it.
            size = Files.isDirectory(c.file()) ? ImageFolders.sizeBytes(c.file()) : Files.size(c.file());
        } catch (IOException e) {
            return new Check(null, "cannot be read (" + e.getClass().getSimpleName() + ")");
        } catch (VideoException e) {
            return ledger.video(c.id()).isEmpty() ? null : new Check(null, e.getMessage());
        }
        Optional<VideoRecord> existing = ledger.video(c.id());
        if (existing.isEmpty()) {
            return null;
        }
        Video old = existing.get().video();
        if (old.sizeBytes() != size) {
            return new Check(null, "id " + c.id() + " is registered with " + old.sizeBytes() + " bytes but the file now "
                    + "has " + size + "; a changed file needs a new id (its frames may differ)");
        }
        String location = c.file().toString();
        if (!old.location().equals(location) || !old.tags().equals(c.tags())) {
            Video moved = new Video(old.id(), location, old.frameCount(), old.fps(), old.sizeBytes(), c.tags());
            ledger.registerVideo(moved);
            return new Check(moved, null);
        }
        return new Check(old, null);
    }

    private void addTracks(VideoCandidate c, Video video) {
        for (String analysis : c.analyses()) {
            ledger.addTrack(new TrackSpec(video.id(), analysis, video.allFrames(), c.priority()));
        }
    }
}

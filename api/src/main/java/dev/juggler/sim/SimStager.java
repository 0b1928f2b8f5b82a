package dev.juggler.sim;

import dev.juggler.JugglerException;
import dev.juggler.stage.StageListener;
import dev.juggler.stage.StagedVideo;
import dev.juggler.stage.VideoStager;
import dev.juggler.stage.WorkspaceFullException;
import dev.juggler.stage.WorkspaceUsage;
import dev.juggler.video.Video;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A workspace in simulated time, behind the real {@link VideoStager} interface: transfers take the video's size
 * over the model's speed, some fail part-way, and the budget counts transfers from the moment they are accepted
 * (the rules of {@code VideoStager}). Used only by the process holding the simulation's turn.
 */
final class SimStager implements VideoStager {

    private final SimScheduler sim;
    private final StagerModel model;
    private final long budget;
    private final Random random;
    private final Map<String, StagedVideo> staged = new LinkedHashMap<>();
    private final Map<String, SimScheduler.Process> transfers = new LinkedHashMap<>();
    private long used;
    private long reserved;
    // for the report
    long peakBytes;
    long transfersFailed;
    long bytesMoved;

    SimStager(SimScheduler sim, StagerModel model, long budget, Random random) {
        this.sim = sim;
        this.model = model;
        this.budget = budget;
        this.random = random;
    }

    @Override
    public StagedVideo stage(Video video, StageListener listener) {
        StagedVideo done = staged.get(video.id());
        if (done != null) {
            return done;
        }
        long size = video.sizeBytes();
        if (size > budget - used - reserved) {
            throw new WorkspaceFullException(video.id(), size, usage());
        }
        reserved += size;
        peakBytes = Math.max(peakBytes, used + reserved);
        listener.onProgress(video.id(), 0, size);
        SimScheduler.Process self = null;
        try {
            boolean fails = random.nextDouble() < model.failureShare();
            double share = fails ? random.nextDouble() : 1;
            Duration takes = Duration.ofNanos((long) (size * share / model.bytesPerSecond() * 1e9));
            transfers.put(video.id(), self = currentTransfer());
            boolean whole = sim.sleep(takes);
            bytesMoved += (long) (size * share);
            if (!whole) {
                throw JugglerException.transientFailure("transfer of " + video.id() + " stopped: the video was purged", null);
            }
            if (fails) {
                transfersFailed++;
                throw JugglerException.transientFailure("simulated transfer failure of " + video.id() + " after "
                        + Math.round(share * 100) + " %", null);
            }
            used += size;
            StagedVideo result = new StagedVideo(video.id(), "sim:/workspace/" + video.id(), size);
            staged.put(video.id(), result);
            listener.onProgress(video.id(), size, size);
            return result;
        } finally {
            reserved -= size;
            if (self != null) {
                transfers.remove(video.id());
            }
        }
    }

    private SimScheduler.Process currentTransfer() {
        return sim.currentProcess();
    }

    @Override
    public void purge(String videoId) {
        StagedVideo video = staged.remove(videoId);
        if (video != null) {
            used -= video.sizeBytes();
        }
        SimScheduler.Process transfer = transfers.get(videoId);
        if (transfer != null) {
            sim.wakeEarly(transfer);
        }
    }

    @Override
    public WorkspaceUsage usage() {
        return new WorkspaceUsage(budget, used, reserved);
    }

    /** Bytes taken now, staged or reserved. */
    long takenBytes() {
        return used + reserved;
    }

    @Override
    public List<StagedVideo> list() {
        return new ArrayList<>(staged.values());
    }

    @Override
    public void close() {
        // the simulation owns the transfers
    }
}

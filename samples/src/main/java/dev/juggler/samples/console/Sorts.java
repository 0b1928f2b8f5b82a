package dev.juggler.samples.console;

import dev.juggler.ledger.ChunkQuery;
import dev.juggler.ledger.JobQuery;
import dev.juggler.ledger.TrackQuery;
import java.util.List;

/**
 * Which columns each table can be sorted by, and how a column key with a direction maps onto the orders the
 * ledger's queries support. Only those: sorting by any other column would need the whole result in memory.
 * Stateless; thread-safe.
 */
final class Sorts {

    /** A query order and whether the query reverses it. */
    record Order<S>(S sort, boolean reversed) {
    }

    private Sorts() {
    }

    /** The sortable column keys of {@code kind}. */
    static List<String> sortable(TableKind kind) {
        return switch (kind) {
            case TRACKS -> List.of("track", "video", "analysis", "priority");
            case CHUNKS -> List.of("track", "chunk", "updated", "attempts");
            case JOBS -> List.of("submitted");
        };
    }

    /** The order of a view without {@code sort}: tracks and chunks in id order, the newest jobs first. */
    static String defaultSort(TableKind kind) {
        return kind == TableKind.JOBS ? "-submitted" : "track";
    }

    static Order<TrackQuery.Sort> track(String key, boolean descending) {
        return switch (key) {
            case "track" -> new Order<>(TrackQuery.Sort.ID, descending);
            case "video" -> new Order<>(TrackQuery.Sort.VIDEO, descending);
            case "analysis" -> new Order<>(TrackQuery.Sort.ANALYSIS, descending);
            // The query's order is highest first; an ascending column is its reverse.
            case "priority" -> new Order<>(TrackQuery.Sort.PRIORITY_DESC, !descending);
            default -> throw new IllegalArgumentException("tracks cannot be sorted by " + key);
        };
    }

    static Order<ChunkQuery.Sort> chunk(String key, boolean descending) {
        return switch (key) {
            case "track" -> new Order<>(ChunkQuery.Sort.TRACK_FRAME, descending);
            case "chunk" -> new Order<>(ChunkQuery.Sort.ID, descending);
            case "updated" -> new Order<>(ChunkQuery.Sort.UPDATED_DESC, !descending);
            case "attempts" -> new Order<>(ChunkQuery.Sort.ATTEMPTS_DESC, !descending);
            default -> throw new IllegalArgumentException("chunks cannot be sorted by " + key);
        };
    }

    static JobQuery.Sort job(String key, boolean descending) {
        if (!key.equals("submitted")) {
            throw new IllegalArgumentException("jobs cannot be sorted by " + key);
        }
        return descending ? JobQuery.Sort.SUBMITTED_DESC : JobQuery.Sort.SUBMITTED_ASC;
    }
}

package dev.juggler.stage;

/**
 * How much of the workspace budget is taken. Immutable and thread-safe.
 *
 * @param budgetBytes the most bytes staged videos may take
 * @param usedBytes bytes of complete staged videos
 * @param reservedBytes bytes reserved by transfers in progress (counted against the budget)
 */
public record WorkspaceUsage(long budgetBytes, long usedBytes, long reservedBytes) {

    /** Bytes that a new transfer may still take. */
    public long freeBytes() {
        return Math.max(0, budgetBytes - usedBytes - reservedBytes);
    }
}

package dev.juggler.stage;

import dev.juggler.JugglerException;

/**
 * A video does not fit into the workspace budget right now. Transient: space frees up as finished
 * videos are purged. Immutable and thread-safe.
 */
public class WorkspaceFullException extends JugglerException {
    private static final long serialVersionUID = 1L;

    public WorkspaceFullException(String videoId, long needBytes, WorkspaceUsage usage) {
        super("video " + videoId + " needs " + needBytes + " bytes but the workspace has " + usage.freeBytes()
                + " free (budget " + usage.budgetBytes() + ", used " + usage.usedBytes() + ", reserved by transfers "
                + usage.reservedBytes() + ")", true, null);
    }
}

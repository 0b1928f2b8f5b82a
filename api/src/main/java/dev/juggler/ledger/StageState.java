package dev.juggler.ledger;

/**
 * Where a video stands with respect to the cluster workspace. Chunks of a video are claimable only in
 * {@link #STAGED}.
 */
public enum StageState {
    /** Registered, never brought into the workspace. */
    NOT_STAGED,
    /** A transfer into the workspace is under way. */
    STAGING,
    /** In the workspace, verified, at the recorded location. */
    STAGED,
    /** Was staged and has been removed from the workspace. */
    PURGED,
    /** The last staging attempt failed; the reason is recorded and the juggler retries it later. */
    STAGE_FAILED
}

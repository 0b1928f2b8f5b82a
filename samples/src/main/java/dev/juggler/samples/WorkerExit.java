package dev.juggler.samples;

import java.util.Optional;
import java.util.OptionalInt;

/**
 * The exit statuses of {@code juggler worker} that mean something to an operator, and what to do about
 * them. Stateless; thread-safe.
 */
final class WorkerExit {

    /** The worker could not reach the ledger (see {@link JugglerCli#UNAVAILABLE}). */
    static final int LEDGER_UNREACHABLE = JugglerCli.UNAVAILABLE;
    /** The batch script could not read the job's secrets file. */
    static final int SECRETS_UNREADABLE = 78;

    private WorkerExit() {
    }

    /** What an exit status says about the worker's node, if anything particular. */
    static Optional<String> explain(OptionalInt exitCode) {
        if (exitCode.isEmpty()) {
            return Optional.empty();
        }
        return switch (exitCode.getAsInt()) {
            case LEDGER_UNREACHABLE -> Optional.of("the worker could not reach the ledger from its node; compute nodes "
                    + "often cannot reach a database outside the cluster (docs/config.md, 'When compute nodes cannot reach "
                    + "the ledger')");
            case SECRETS_UNREADABLE -> Optional.of("the job could not read its secrets file (is the job output directory "
                    + "on a file system the compute nodes see?)");
            case 127 -> Optional.of("a program of the worker command was not found on the node (is Java on the PATH? "
                    + "add e.g. 'module load java/17' to cluster.prologue)");
            default -> Optional.empty();
        };
    }
}

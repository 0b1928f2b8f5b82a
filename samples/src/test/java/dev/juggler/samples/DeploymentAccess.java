package dev.juggler.samples;

import dev.juggler.cluster.JobSpec;
import dev.juggler.samples.config.JugglerConfig;
import java.util.Optional;

/** Lets tests in other packages see what a deployment would submit. */
public final class DeploymentAccess {

    private DeploymentAccess() {
    }

    /** The worker job of {@code config}, as {@code juggler run} submits it. */
    public static JobSpec workerJob(JugglerConfig config) {
        return Deployment.workerJob(config, Deployment.WORKER_JOB_NAME, java.util.List.of(), Optional.empty());
    }

    /** The arguments of {@code juggler worker} for {@code config}. */
    public static java.util.List<String> workerArguments(JugglerConfig config) {
        return Deployment.workerArguments(config);
    }
}

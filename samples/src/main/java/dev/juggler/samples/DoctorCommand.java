package dev.juggler.samples;

import dev.juggler.cluster.ClusterBackend;
import dev.juggler.cluster.JobSpec;
import dev.juggler.cluster.LocalClusterBackend;
import dev.juggler.samples.config.ClusterConfig;
import dev.juggler.samples.config.ConfigException;
import dev.juggler.samples.config.JugglerConfig;
import dev.juggler.samples.config.WorkspaceConfig;
import dev.juggler.samples.deploy.Release;
import dev.juggler.samples.doctor.DeployCheck;
import dev.juggler.samples.doctor.Finding;
import dev.juggler.samples.doctor.LedgerCheck;
import dev.juggler.samples.doctor.PartitionCheck;
import dev.juggler.samples.doctor.ProbeJob;
import dev.juggler.samples.doctor.Report;
import dev.juggler.samples.doctor.SshChecks;
import dev.juggler.samples.doctor.WorkspaceCheck;
import dev.juggler.slurm.cluster.SlurmClusterBackend;
import dev.juggler.slurm.ssh.ExecResult;
import dev.juggler.slurm.ssh.RemoteCommand;
import dev.juggler.slurm.ssh.SshClient;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code juggler doctor --config FILE}: checks a deployment end to end, one line per check ({@code ok},
 * {@code WARN}, {@code FAIL} with the fix, or {@code skip} when a check it depends on failed). Exit 0 when
 * nothing FAILs, 1 otherwise. See docs/config.md, "juggler doctor".
 */
@Command(name = "doctor", mixinStandardHelpOptions = true,
        description = "Checks a deployment: config, SSH, SLURM, partition, workspace, ledger (from here and from a "
                + "compute node, with a short probe job) and clock skew. Exit 0 when nothing FAILs.")
final class DoctorCommand implements Callable<Integer> {

    /** The probe job's name (squeue shows it). */
    static final String PROBE_JOB_NAME = "juggler-doctor";

    @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE", description = "The deployment's YAML config.")
    Path configFile;

    @Option(names = "--no-probe-job", description = "Do not submit the probe job (the compute-node check is skipped).")
    boolean noProbeJob;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        Report report = new Report(out);
        JugglerConfig config;
        try {
            config = JugglerConfig.load(configFile);
            report.add(Finding.ok("config", dev.juggler.samples.config.Escape.quoted(configFile.toString()) + " is valid ("
                    + "cluster " + config.cluster().type() + ", workspace " + config.workspace().type().key() + ", analysis "
                    + config.worker().analysis() + ")"));
        } catch (ConfigException e) {
            e.problems().forEach(p -> out.println(p.format()));
            report.add(Finding.fail("config", e.problems().size() + " problem(s) in the config (listed above)",
                    "correct them; `juggler config check --config FILE` shows them too"));
            report.add(Finding.skip("(all others)", "the config is not valid"));
            report.summary();
            return JugglerCli.FAILED;
        }
        if (config.cluster() instanceof ClusterConfig.Slurm slurm) {
            slurm(config, slurm, report);
        } else {
            local(config, report);
        }
        report.summary();
        return report.anyFailed() ? JugglerCli.FAILED : JugglerCli.OK;
    }

    private void slurm(JugglerConfig config, ClusterConfig.Slurm slurm, Report report) {
        Finding tcp = report.add(SshChecks.tcp(slurm.ssh()));
        if (tcp.failed()) {
            for (String c : withDeploy(config, List.of("ssh.hostKey", "ssh.login", "slurm.tools", "partition", "workspace", "deploy", "clock"))) {
                report.add(Finding.skip(c, "the SSH host is not reachable"));
            }
            workspaceIfLocal(config, report);
            Finding ledger = report.add(LedgerCheck.run(config));
            report.add(Finding.skip("probe.job", "the SSH host is not reachable"));
            return;
        }
        SshChecks.Login login = SshChecks.login(slurm.ssh());
        report.add(login.hostKey());
        report.add(login.login());
        if (login.client().isEmpty()) {
            for (String c : withDeploy(config, List.of("slurm.tools", "partition", "workspace", "deploy", "clock"))) {
                report.add(Finding.skip(c, "no SSH login"));
            }
            workspaceIfLocal(config, report);
            report.add(LedgerCheck.run(config));
            report.add(Finding.skip("probe.job", "no SSH login"));
            return;
        }
        try (SshClient ssh = login.client().get()) {
            boolean toolsOk = true;
            for (Finding f : SshChecks.tools(ssh)) {
                toolsOk &= !(report.add(f).failed() && !f.check().equals("slurm.sacct"));
            }
            boolean partitionOk = false;
            if (toolsOk) {
                List<Finding> p = PartitionCheck.run(ssh, slurm);
                p.forEach(report::add);
                partitionOk = p.stream().noneMatch(Finding::failed);
            } else {
                report.add(Finding.skip("partition", "the SLURM commands are missing"));
            }
            if (config.workspace().type() == WorkspaceConfig.Type.LOCAL) {
                WorkspaceCheck.local(config.workspace()).forEach(report::add);
            } else {
                WorkspaceCheck.remote(ssh, config.workspace()).forEach(report::add);
            }
            Optional<Release> release = Optional.empty();
            boolean deployOk = true;
            if (Deployment.usesDeployDirectory(config)) {
                DeployCheck.Outcome deployed = DeployCheck.run(ssh, config.worker().deployDirectory().get());
                deployOk = !report.add(deployed.finding()).failed();
                release = deployed.release();
            }
            Finding ledger = report.add(LedgerCheck.run(config));
            if (noProbeJob) {
                report.add(Finding.skip("probe.job", "--no-probe-job"));
            } else if (!deployOk) {
                report.add(Finding.skip("probe.job", "the worker is not deployed"));
            } else if (!toolsOk || !partitionOk) {
                report.add(Finding.skip("probe.job", toolsOk ? "the partition check failed" : "the SLURM commands are missing"));
            } else if (ledger.failed()) {
                report.add(Finding.skip("probe.job", "the ledger is not reachable even from here"));
            } else {
                report.add(probeOnSlurm(config, slurm, ssh, report, release));
            }
            report.add(SshChecks.clockSkew(ssh));
        }
    }

    private Finding probeOnSlurm(JugglerConfig config, ClusterConfig.Slurm slurm, SshClient ssh, Report report,
            Optional<Release> release) {
        JobSpec probe;
        try {
            probe = probeSpec(config, release);
        } catch (dev.juggler.JugglerException e) {
            return Finding.fail("probe.job", "cannot build the worker job: " + dev.juggler.samples.doctor.Texts.firstLine(e),
                    "fix what the message names");
        }
        String outputDir = probe.outputDirectory().map(Object::toString).orElse(slurm.outputDirectory());
        try (ClusterBackend backend = SlurmClusterBackend.builder(ssh).tag(slurm.tag() + "-doctor").outputDirectory(outputDir)
                .minPollInterval(Duration.ofSeconds(1)).build()) {
            return ProbeJob.run(backend, probe, id -> {
                String file = (outputDir.endsWith("/") ? outputDir : outputDir + "/") + PROBE_JOB_NAME + "-" + id + ".out";
                try {
                    ExecResult r = ssh.exec(RemoteCommand.of("cat", file).withTimeout(SshChecks.COMMAND_TIMEOUT));
                    return r.ok() ? Optional.of(r.out()) : Optional.empty();
                } catch (RuntimeException e) {
                    return Optional.empty();
                }
            }, report, Duration.ofSeconds(2));
        }
    }

    private void local(JugglerConfig config, Report report) {
        workspaceIfLocal(config, report);
        Finding ledger = report.add(LedgerCheck.run(config));
        if (noProbeJob) {
            report.add(Finding.skip("probe.job", "--no-probe-job"));
        } else if (ledger.failed()) {
            report.add(Finding.skip("probe.job", "the ledger is not reachable"));
        } else if (!(config.cluster() instanceof ClusterConfig.Local local)) {
            report.add(Finding.skip("probe.job", "a custom cluster backend is not probed"));
        } else {
            LocalClusterBackend.Builder b = LocalClusterBackend.builder().slots(1);
            local.outputDirectory().ifPresent(b::outputDirectory);
            try (LocalClusterBackend backend = b.build()) {
                report.add(ProbeJob.run(backend, probeSpec(config, Optional.empty()), id -> backend.outputFile(id).flatMap(DoctorCommand::read),
                        report, Duration.ofMillis(500)));
            }
        }
    }

    /** The names of checks to skip, without {@code deploy} when there is no deploy directory. */
    private static List<String> withDeploy(JugglerConfig config, List<String> checks) {
        return Deployment.usesDeployDirectory(config) ? checks : checks.stream().filter(c -> !c.equals("deploy")).toList();
    }

    private static void workspaceIfLocal(JugglerConfig config, Report report) {
        if (config.workspace().type() == WorkspaceConfig.Type.LOCAL) {
            WorkspaceCheck.local(config.workspace()).forEach(report::add);
        }
    }

    /** The run's worker job (from the deployed {@code release}, if any), renamed, with {@code --check} and a short time limit. */
    static JobSpec probeSpec(JugglerConfig config, Optional<Release> release) {
        return Deployment.workerJob(config, PROBE_JOB_NAME, List.of("--check"), release).toBuilder()
                .timeLimit(ProbeJob.TIME_LIMIT).build();
    }

    private static Optional<String> read(Path file) {
        try {
            return Optional.of(Files.readString(file, StandardCharsets.UTF_8));
        } catch (java.io.IOException e) {
            return Optional.empty();
        }
    }
}

package dev.juggler.slurm.internal;

import dev.juggler.cluster.ClusterBackend;
import dev.juggler.cluster.JobSpec;
import dev.juggler.slurm.ssh.ShellQuote;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Turns a {@link JobSpec} into the {@code sbatch} arguments and the batch script. Every value that
 * comes from the spec is quoted by {@link ShellQuote}; options are separate argv elements and never
 * pass through {@code #SBATCH} lines. Internal; stateless and thread-safe.
 */
public final class BatchScript {

    private BatchScript() {
    }

    /** Minutes for {@code --time}, rounded up (SLURM counts whole minutes). */
    public static long minutes(JobSpec spec) {
        long seconds = spec.timeLimit().toSeconds();
        return Math.max(1, (seconds + 59) / 60);
    }

    /**
     * The sbatch command line (the script goes to its standard input).
     *
     * @param comment the unique submission tag (found again by squeue after an ambiguous failure)
     * @param outputDir absolute remote directory for the job's output
     * @param count jobs to submit ({@code > 1}: one array)
     * @param maxConcurrent array throttle, 0 for none
     */
    public static List<String> sbatchArgs(JobSpec spec, String comment, String outputDir, int count, int maxConcurrent) {
        List<String> argv = new ArrayList<>();
        argv.add("sbatch");
        argv.add("--parsable");
        argv.add("--job-name=" + spec.name());
        argv.add("--comment=" + comment);
        argv.add("--time=" + minutes(spec));
        argv.add("--nodes=1");
        argv.add("--ntasks=1");
        argv.add("--cpus-per-task=" + spec.cpus());
        spec.memoryMegabytes().ifPresent(mb -> argv.add("--mem=" + mb + "M"));
        if (spec.gpus() > 0) {
            argv.add("--gres=gpu:" + spec.gpus());
        }
        spec.partition().ifPresent(p -> argv.add("--partition=" + p));
        spec.account().ifPresent(a -> argv.add("--account=" + a));
        spec.qos().ifPresent(q -> argv.add("--qos=" + q));
        spec.workingDirectory().ifPresent(d -> argv.add("--chdir=" + d));
        String base = outputDir.endsWith("/") ? outputDir : outputDir + "/";
        if (count > 1) {
            argv.add("--array=0-" + (count - 1) + (maxConcurrent > 0 ? "%" + maxConcurrent : ""));
            argv.add("--output=" + base + spec.name() + "-%A_%a.out");
        } else {
            argv.add("--output=" + base + spec.name() + "-%j.out");
        }
        argv.addAll(spec.nativeOptions());
        return argv;
    }

    /** The batch script of a spec without secrets (see {@link #script(JobSpec, String)}). */
    public static String script(JobSpec spec) {
        if (!spec.secretEnvironment().isEmpty()) {
            throw new IllegalArgumentException("a spec with secrets needs the path of their file");
        }
        return script(spec, null);
    }

    /**
     * The contents of the file that carries the spec's {@linkplain JobSpec#secretEnvironment() secrets}:
     * one {@code KEY='value'} line each, for the script to source. Never logged.
     */
    public static String secretFile(JobSpec spec) {
        StringBuilder s = new StringBuilder();
        spec.secretEnvironment().forEach((key, value) -> s.append(key).append('=').append(ShellQuote.quote(value)).append('\n'));
        return s.toString();
    }

    /**
     * A name for the secret file that changes when its contents change (so a running job never sees its
     * file rewritten) and says nothing about them: a salted digest.
     */
    public static String secretFileName(JobSpec spec, String salt) {
        try {
            java.security.MessageDigest digest = java.security.MessageDigest.getInstance("SHA-256");
            digest.update(salt.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            digest.update((byte) 0);
            digest.update(secretFile(spec).getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return spec.name() + "-" + java.util.HexFormat.of().formatHex(digest.digest(), 0, 12) + ".env";
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /**
     * The batch script: sets the Juggler variables and the spec's environment, sources the secret file
     * (its path only: the values never appear in the script, which SLURM stores and shows to operators),
     * runs the prologue lines, then execs the command.
     *
     * @param secretFilePath absolute path of the file written from {@link #secretFile}, or {@code null}
     *     when the spec has no secrets
     */
    public static String script(JobSpec spec, String secretFilePath) {
        long limitSeconds = minutes(spec) * 60;
        StringBuilder s = new StringBuilder();
        // With a prologue, a login shell: `module` and site profiles are defined only there.
        s.append(spec.prologue().isEmpty() ? "#!/bin/sh\n" : "#!/bin/bash -l\n");
        s.append("# generated by Juggler (dev.juggler.slurm); every value below is single-quoted\n");
        s.append("if [ -n \"${SLURM_ARRAY_TASK_ID:-}\" ]; then\n");
        s.append("  ").append(ClusterBackend.JOB_ID_ENV).append("=\"${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID}\"\n");
        s.append("else\n");
        s.append("  ").append(ClusterBackend.JOB_ID_ENV).append("=\"$SLURM_JOB_ID\"\n");
        s.append("fi\n");
        // SLURM >= 23.02 tells the end time; older ones: the script starts when the job starts, so start
        // + limit is the deadline to within the launch delay (workers keep a safety margin anyway).
        s.append("if [ -n \"${SLURM_JOB_END_TIME:-}\" ]; then juggler_end=\"$SLURM_JOB_END_TIME\"; ")
                .append("else juggler_end=$(( $(date +%s) + ").append(limitSeconds).append(" )); fi\n");
        s.append(ClusterBackend.JOB_DEADLINE_ENV).append("=$(( juggler_end * 1000 ))\n");
        s.append("export ").append(ClusterBackend.JOB_ID_ENV).append(' ').append(ClusterBackend.JOB_DEADLINE_ENV).append('\n');
        for (Map.Entry<String, String> e : spec.environment().entrySet()) {
            // Keys are validated shell names by JobSpec; values are quoted.
            s.append("export ").append(e.getKey()).append('=').append(ShellQuote.quote(e.getValue())).append('\n');
        }
        if (secretFilePath != null) {
            s.append("set -a\n. ").append(ShellQuote.quote(secretFilePath))
                    .append(" || { echo 'juggler: cannot read the secrets file' >&2; exit 78; }\nset +a\n");
        }
        spec.workingDirectory().ifPresent(d -> s.append("cd ").append(ShellQuote.quote(d.toString())).append(" || exit 1\n"));
        if (!spec.prologue().isEmpty()) {
            // The operator's own lines (module load, conda activate): a failing one ends the job with its status.
            s.append("# prologue\n");
            spec.prologue().forEach(line -> s.append(line).append(" || exit $?\n"));
        }
        s.append("exec ").append(ShellQuote.join(spec.fullCommand())).append('\n');
        return s.toString();
    }
}

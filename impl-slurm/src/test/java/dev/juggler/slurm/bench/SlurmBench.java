package dev.juggler.slurm.bench;

import dev.juggler.cluster.JobSpec;
import dev.juggler.cluster.JobStatus;
import dev.juggler.slurm.CountingSsh;
import dev.juggler.slurm.RealSlurm;
import dev.juggler.slurm.cluster.SlurmClusterBackend;
import dev.juggler.slurm.ssh.RemoteCommand;
import dev.juggler.slurm.ssh.SshClient;
import dev.juggler.slurm.stage.SftpVideoStager;
import dev.juggler.video.Video;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * bench/slurm.sh's measurement against the real local SLURM + sshd: 500 workers as one array vs one
 * sbatch each, polling 500 jobs, and SFTP upload throughput vs scp of the same file. Appends a
 * "## slurm" section to docs/benchmarks.md and prints the RESULT line last.
 */
public final class SlurmBench {

    public static void main(String[] args) throws Exception {
        RealSlurm slurm = realSlurm();
        Path docs = Path.of(args.length > 0 ? args[0] : "docs/benchmarks.md");
        long fileBytes = Long.parseLong(System.getProperty("bench.bytes", String.valueOf(1L << 30)));
        int n = 500;
        StringBuilder md = new StringBuilder();
        try (CountingSsh ssh = new CountingSsh(SshClient.open(slurm.ssh().commandTimeout(Duration.ofMinutes(10)).build()))) {
            SlurmClusterBackend backend = SlurmClusterBackend.builder(ssh).tag("bench").minPollInterval(Duration.ZERO)
                    .controllerCallsPerSecond(1000).outputDirectory(slurm.workdir + "/out/bench").cancelOnClose(true).build();
            JobSpec spec = JobSpec.builder("jg-bench", List.of("sleep", "600")).timeLimit(Duration.ofMinutes(15)).build();
            ssh.exec(RemoteCommand.of("true")); // connect outside the timings

            int c0 = ssh.controllerCalls();
            long t0 = System.nanoTime();
            List<String> array = backend.submit(spec, n, 0);
            double arraySeconds = seconds(t0);
            int arrayCalls = ssh.controllerCalls() - c0;

            // Polling 500 jobs (plus whatever else of ours is queued): calls per poll and time per poll.
            int polls = 5;
            int c1 = ssh.controllerCalls();
            long t1 = System.nanoTime();
            int seen = 0;
            for (int i = 0; i < polls; i++) {
                List<JobStatus> all = backend.status();
                seen = all.size();
            }
            double pollMs = seconds(t1) * 1000 / polls;
            int pollCalls = (ssh.controllerCalls() - c1) / polls;
            backend.cancel(array);

            int c2 = ssh.controllerCalls();
            long t2 = System.nanoTime();
            List<String> singles = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                singles.addAll(backend.submit(spec, 1, 0));
            }
            double singleSeconds = seconds(t2);
            int singleCalls = ssh.controllerCalls() - c2;
            backend.cancel(singles);
            backend.close();

            // Upload throughput: the same file, SFTP (this module) vs OpenSSH scp, same run.
            Path file = Path.of(System.getProperty("bench.file", "/var/tmp/juggler-bench-1g.bin"));
            writeRandom(file, fileBytes);
            String remoteDir = slurm.workdir + "/workspace/bench";
            ssh.files().mkdirs(remoteDir);
            String remote = remoteDir + "/sftp.bin";
            ssh.files().remove(remote);
            long t3 = System.nanoTime();
            try (InputStream in = Files.newInputStream(file)) {
                ssh.files().write(in, remote, false, null);
            }
            double sftpSeconds = seconds(t3);
            ssh.files().remove(remote);
            long t4 = System.nanoTime();
            Process scp = new ProcessBuilder("scp", "-q", "-P", String.valueOf(slurm.port), "-i", slurm.key.toString(),
                    "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=yes", "-o", "UserKnownHostsFile=" + slurm.knownHosts,
                    file.toString(), slurm.user + "@" + slurm.host + ":" + remoteDir + "/scp.bin").inheritIO().start();
            if (scp.waitFor() != 0) {
                throw new IllegalStateException("scp failed");
            }
            double scpSeconds = seconds(t4);
            ssh.files().remove(remoteDir + "/scp.bin");
            // The full stage(): upload + remote sha256sum + rename.
            SftpVideoStager stager = SftpVideoStager.builder(ssh, remoteDir).budgetBytes(4 * fileBytes).build();
            long t5 = System.nanoTime();
            stager.stage(new Video("bench", file.toString(), 1, 1, fileBytes, Map.of()), null);
            double stageSeconds = seconds(t5);
            stager.purge("bench");
            stager.close();
            Files.deleteIfExists(file);

            double mb = fileBytes / 1e6;
            double ratio = scpSeconds / sftpSeconds;
            md.append("\n## slurm\n\n");
            md.append("Run ").append(Instant.now()).append(" by `bench/slurm.sh` against the single-node SLURM ")
                    .append("(scripts/setup.d/40-slurm-sshd.sh) reached over ssh to 127.0.0.1; ")
                    .append(Runtime.getRuntime().availableProcessors()).append(" cores. Rate limiter set to 1000 calls/s ")
                    .append("for the measurement (default ").append(SlurmClusterBackend.DEFAULT_CONTROLLER_CALLS_PER_SECOND)
                    .append("/s would make 500 single submissions take ~100 s by design).\n\n");
            md.append("| measurement | controller calls | wall time |\n|---|---:|---:|\n");
            md.append(String.format(Locale.ROOT, "| submit %d workers as one array (`--array=0-%d`) | %d | %.2f s |%n", n, n - 1, arrayCalls, arraySeconds));
            md.append(String.format(Locale.ROOT, "| submit %d workers, one `sbatch` each (baseline) | %d | %.2f s |%n", n, singleCalls, singleSeconds));
            md.append(String.format(Locale.ROOT, "| poll status of %d jobs (mean of %d polls) | %d per poll | %.0f ms per poll |%n", seen, polls, pollCalls, pollMs));
            md.append("\n| upload of the same %s file to 127.0.0.1 | time | throughput |\n|---|---:|---:|\n".formatted(human(fileBytes)));
            md.append(String.format(Locale.ROOT, "| SFTP (JSch, this module: `RemoteFiles.write`) | %.2f s | %.0f MB/s |%n", sftpSeconds, mb / sftpSeconds));
            md.append(String.format(Locale.ROOT, "| OpenSSH `scp` (baseline) | %.2f s | %.0f MB/s |%n", scpSeconds, mb / scpSeconds));
            md.append(String.format(Locale.ROOT, "| `SftpVideoStager.stage` (upload + remote sha256sum + rename) | %.2f s | %.0f MB/s |%n", stageSeconds, mb / stageSeconds));
            md.append(String.format(Locale.ROOT, "%nsftp_vs_scp = scp time / SFTP time = %.2f (goal >= 0.8).%n", ratio));
            Files.writeString(docs, md.toString(), StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            System.out.print(md);
            System.out.println(String.format(Locale.ROOT, "RESULT slurm submit_calls_500=%d poll_calls=%d sftp_vs_scp=%.2f",
                    arrayCalls, pollCalls, ratio));
        }
    }

    private static RealSlurm realSlurm() {
        try {
            return RealSlurm.require();
        } catch (org.opentest4j.TestAbortedException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return null;
        }
    }

    private static String human(long bytes) {
        return bytes >= 1L << 30 ? (bytes >> 30) + " GiB" : (bytes >> 20) + " MiB";
    }

    private static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    private static void writeRandom(Path file, long bytes) throws Exception {
        if (Files.exists(file) && Files.size(file) == bytes) {
            return;
        }
        byte[] block = new byte[1 << 20];
        Random r = new Random(42);
        try (OutputStream out = Files.newOutputStream(file)) {
            for (long done = 0; done < bytes; done += block.length) {
                r.nextBytes(block);
                out.write(block, 0, (int) Math.min(block.length, bytes - done));
            }
        }
    }
}

package dev.juggler.slurm.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.juggler.cluster.JobSpec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class BatchScriptTest {

    static final JobSpec SPEC = JobSpec.builder("w", List.of("sh", "-c", "printf '%s|%s|%s|%s' \"$JUGGLER_JOB_ID\" \"$JUGGLER_JOB_DEADLINE_MS\" \"$X\" \"$1\"", "sh", "a 'b' $(c)"))
            .environment("X", "v'$y`z`").timeLimit(Duration.ofSeconds(90)).cpus(4).memoryMegabytes(2048).gpus(2)
            .partition("gpu").account("proj").qos("normal").wrapper(List.of("env"))
            .outputDirectory(Path.of("/out")).nativeOption("--constraint=a100").build();

    @Test
    void sbatchArguments() {
        List<String> single = BatchScript.sbatchArgs(SPEC, "juggler:t:u", "/out", 1, 0);
        assertEquals(List.of("sbatch", "--parsable", "--job-name=w", "--comment=juggler:t:u", "--time=2", "--nodes=1",
                "--ntasks=1", "--cpus-per-task=4", "--mem=2048M", "--gres=gpu:2", "--partition=gpu", "--account=proj",
                "--qos=normal", "--output=/out/w-%j.out", "--constraint=a100"), single);
        List<String> array = BatchScript.sbatchArgs(SPEC, "c", "/out/", 500, 20);
        assertTrue(array.contains("--array=0-499%20"), array.toString());
        assertTrue(array.contains("--output=/out/w-%A_%a.out"), array.toString());
        assertTrue(BatchScript.sbatchArgs(SPEC, "c", "/out", 3, 0).contains("--array=0-2"));
    }

    @Test
    void scriptExportsIdsAndDeadlineAndRunsTheQuotedCommand() throws Exception {
        String script = BatchScript.script(SPEC);
        long before = System.currentTimeMillis();
        ProcessBuilder pb = new ProcessBuilder("/bin/sh", "-s");
        pb.environment().put("SLURM_JOB_ID", "17");
        pb.environment().put("SLURM_ARRAY_JOB_ID", "12");
        pb.environment().put("SLURM_ARRAY_TASK_ID", "5");
        pb.environment().remove("SLURM_JOB_END_TIME");
        Process p = pb.start();
        p.getOutputStream().write(script.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String[] out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).split("\\|", -1);
        assertEquals(0, p.waitFor());
        assertEquals("12_5", out[0]);
        long deadline = Long.parseLong(out[1]);
        assertTrue(deadline >= before + 119_000 && deadline <= System.currentTimeMillis() + 121_000, out[1]);
        assertEquals("v'$y`z`", out[2]);
        assertEquals("a 'b' $(c)", out[3]);

        pb.environment().remove("SLURM_ARRAY_TASK_ID");
        pb.environment().put("SLURM_JOB_END_TIME", "1700000000");
        p = pb.start();
        p.getOutputStream().write(script.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).split("\\|", -1);
        assertEquals(0, p.waitFor());
        assertEquals("17", out[0]);
        assertEquals("1700000000000", out[1]);
    }

    @Test
    void secretsAreSourcedFromTheirFileAndAFailingPrologueLineEndsTheJob(@org.junit.jupiter.api.io.TempDir Path dir)
            throws Exception {
        String secret = "s'3$(touch " + dir + "/M)kr1t\nline2";
        JobSpec spec = JobSpec.builder("w", List.of("sh", "-c", "printf '%s|%s' \"$PW\" \"$P\""))
                .secretEnvironment("PW", secret).prologue(List.of("P=pro", "export P")).build();
        Path secrets = dir.resolve("w.env");
        java.nio.file.Files.writeString(secrets, BatchScript.secretFile(spec));
        String script = BatchScript.script(spec, secrets.toString());
        assertTrue(!script.contains("kr1t"), script);
        assertEquals(secret + "|pro", runScript(script));
        assertTrue(!java.nio.file.Files.exists(dir.resolve("M")), "the secret was data, not code");
        String name = BatchScript.secretFileName(spec, "tag");
        assertTrue(name.matches("w-[0-9a-f]{24}\\.env") && !name.contains("kr1t"), name);
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> BatchScript.script(spec));

        JobSpec failing = spec.toBuilder().prologue(List.of("exit 7")).build();
        ProcessBuilder pb = new ProcessBuilder("/bin/sh", "-s");
        Process p = pb.start();
        p.getOutputStream().write(BatchScript.script(failing, secrets.toString()).getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        assertEquals(7, p.waitFor(), "a failing prologue line ends the job with its status");
    }

    private static String runScript(String script) throws Exception {
        Process p = new ProcessBuilder("/bin/sh", "-s").start();
        p.getOutputStream().write(script.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        return out;
    }
}

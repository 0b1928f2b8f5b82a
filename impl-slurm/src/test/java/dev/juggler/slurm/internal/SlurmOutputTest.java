package dev.juggler.slurm.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.juggler.cluster.JobState;
import dev.juggler.cluster.JobStatus;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The squeue, sacct and sbatch parsers, on fixed samples and on seeded random tables in which other jobs of
 * the same user carry hostile names and comments. A failing random case names its seed; rerun it with
 * {@code -Djuggler.test.seed=<seed>}.
 */
class SlurmOutputTest {

    private static final String PREFIX = "juggler:t1:";

    @Test
    void squeueReadsOwnLinesOnlyAndExpandsRangeRecords() {
        String out = "41|41|N/A|RUNNING|0|juggler:t1:x|w|None|\n"
                + "42|40|2|FAILED|768|juggler:t1:y|w|NonZeroExitCode|\n"
                + "40|40|[3-4%1]|PENDING|0|juggler:t1:y|w|JobArrayTaskLimit|\n"
                + "43|43|N/A|RUNNING|0|juggler:other:z|w|None|\n"
                + "44|44|N/A|RUNNING|0|juggler:t1|w|None|\n"
                + "45|45|N/A|RUNNING|0|juggler:t10:a|w|None|\n"
                + "46|46|N/A|RUNNING|0|juggler:t1:has space|w|None|\n"
                + "garbage\n\n";
        Map<String, JobStatus> seen = SlurmOutput.squeue(out, PREFIX);
        assertEquals(List.of("41", "40_2", "40_3", "40_4"), List.copyOf(seen.keySet()));
        JobStatus failed = seen.get("40_2");
        assertEquals(JobState.FAILED, failed.state());
        assertEquals(OptionalInt.of(3), failed.exitCode(), "exit in bits 8-15 of the wait status");
        assertEquals(Optional.of("NonZeroExitCode"), failed.reason());
        assertEquals(Optional.empty(), seen.get("41").reason(), "'None' is no reason");
        assertEquals(OptionalInt.empty(), seen.get("41").exitCode(), "no exit code while running");
        assertEquals(JobState.PENDING, seen.get("40_4").state());
    }

    @Test
    void squeueKeepsAPipeInsideTheReason() {
        Map<String, JobStatus> seen = SlurmOutput.squeue("7|7|N/A|PENDING|0|juggler:t1:a|n|odd|reason|\n", PREFIX);
        assertEquals(Optional.of("odd|reason"), seen.get("7").reason());
    }

    @Test
    void sacctReadsFinalStatesAndRangeRecords() {
        String out = "12|jg|CANCELLED by 0|0:15|None\n"
                + "13_1|jg|COMPLETED|0:0|None\n"
                + "13_[2-4]|jg|CANCELLED by 0|0:0|None\n"
                + "14|jg|FAILED|3:0|NonZeroExitCode\n"
                + "short|line\n";
        Map<String, JobStatus> r = SlurmOutput.sacct(out);
        assertEquals(List.of("12", "13_1", "13_2", "13_3", "13_4", "14"), List.copyOf(r.keySet()));
        assertEquals(JobState.CANCELLED, r.get("12").state());
        assertEquals(OptionalInt.of(128 + 15), r.get("12").exitCode(), "killed by a signal: 128 + n");
        assertEquals(JobState.CANCELLED, r.get("13_3").state());
        assertEquals(OptionalInt.of(3), r.get("14").exitCode());
        assertEquals(Optional.of("NonZeroExitCode"), r.get("14").reason());
    }

    @Test
    void sbatchAnswersAndCommentLookup() {
        assertEquals(Optional.of("123"), SlurmOutput.sbatchJobId("123\n"));
        assertEquals(Optional.of("123"), SlurmOutput.sbatchJobId("123;cluster-a\n"));
        assertEquals(Optional.empty(), SlurmOutput.sbatchJobId("Submitted batch job 123"));
        assertEquals(Optional.empty(), SlurmOutput.sbatchJobId(""));
        String table = "50|juggler:t1:aaa|\n51|juggler:t1:bbb|\n";
        assertEquals(Optional.of("51"), SlurmOutput.arrayJobWithComment(table, "juggler:t1:bbb"));
        assertEquals(Optional.empty(), SlurmOutput.arrayJobWithComment(table, "juggler:t1:bb"));
    }

    @Test
    void corruptTaskFieldsNeitherThrowNorExplode() {
        assertEquals(List.of(), SlurmOutput.taskIds("5", "5", "x-y"));
        assertEquals(100_000, SlurmOutput.taskIds("5", "5", "0-2147483646").size());
        assertEquals(List.of("5_1"), SlurmOutput.taskIds("5", "5", "1,zz"));
    }

    // ---------------------------------------------------------------------------------------------

    private static final String[] NASTY = {"|", "||", ":", "juggler:t1:", "juggler:t1:x|", "N/A", "None", " ", "\t", "%",
        "[1-3]", "é日", "'", "\"", "$(rm -rf /)", "`x`", "\\", ";", "RUNNING", "0", "-", "_", ","};

    @Test
    void randomTablesWithHostileForeignJobsYieldExactlyOurJobs() {
        long seed = Long.getLong("juggler.test.seed", System.nanoTime());
        Random random = new Random(seed);
        for (int round = 0; round < 300; round++) {
            String tag = randomTag(random);
            String prefix = "juggler:" + tag + ":";
            Map<String, JobStatus> expected = new LinkedHashMap<>();
            List<String> lines = new ArrayList<>();
            int next = 1000 + random.nextInt(1000);
            for (int j = 0, n = random.nextInt(12); j < n; j++) {
                int id = next++;
                String comment = prefix + UUID.nameUUIDFromBytes(new byte[] {(byte) round, (byte) j});
                String name = randomName(random);
                String[] st = randomState(random);
                String reason = random.nextBoolean() ? "None" : hostile(random).replace("\n", "");
                JobState state = SlurmStates.map(st[0]);
                Optional<String> why = reason.trim().isEmpty() || reason.trim().equals("None") ? Optional.empty()
                        : Optional.of(reason.trim());
                OptionalInt exit = state.isTerminal() ? SlurmStates.waitStatusExit(st[1]) : OptionalInt.empty();
                switch (random.nextInt(3)) {
                    case 0 -> {
                        lines.add(id + "|" + id + "|N/A|" + st[0] + "|" + st[1] + "|" + comment + "|" + name + "|" + reason + "|");
                        expected.put(Integer.toString(id), new JobStatus(Integer.toString(id), name, state, st[0], why, exit));
                    }
                    case 1 -> {
                        int task = random.nextInt(50);
                        lines.add((id + 5000) + "|" + id + "|" + task + "|" + st[0] + "|" + st[1] + "|" + comment + "|" + name
                                + "|" + reason + "|");
                        String key = id + "_" + task;
                        expected.put(key, new JobStatus(key, name, state, st[0], why, exit));
                    }
                    default -> {
                        int from = random.nextInt(10);
                        int to = from + random.nextInt(5);
                        String field = (random.nextBoolean() ? "[" : "") + from + "-" + to
                                + (random.nextBoolean() ? "%" + (1 + random.nextInt(3)) : "");
                        field = field.startsWith("[") ? field + "]" : field;
                        lines.add(id + "|" + id + "|" + field + "|" + st[0] + "|" + st[1] + "|" + comment + "|" + name + "|"
                                + reason + "|");
                        for (int t = from; t <= to; t++) {
                            String key = id + "_" + t;
                            expected.put(key, new JobStatus(key, name, state, st[0], why, exit));
                        }
                    }
                }
            }
            for (int j = 0, n = random.nextInt(12); j < n; j++) {
                int id = 900_000 + next++;
                lines.add(id + "|" + id + "|N/A|RUNNING|0|" + foreignComment(random, tag) + "|" + hostile(random) + "|"
                        + hostile(random) + "|");
            }
            Collections.shuffle(lines, random);
            Map<String, JobStatus> parsed = SlurmOutput.squeue(String.join("\n", lines) + "\n", prefix);
            String context = "seed " + seed + " round " + round + " (rerun with -Djuggler.test.seed=" + seed + ")\n"
                    + String.join("\n", lines);
            assertEquals(new java.util.TreeMap<>(expected), new java.util.TreeMap<>(parsed), context);
            for (String id : parsed.keySet()) {
                assertFalse(id.startsWith("9"), "a foreign job was taken as ours: " + id + "\n" + context);
            }
        }
    }

    @Test
    void randomSacctRecordsRoundTrip() {
        long seed = Long.getLong("juggler.test.seed", System.nanoTime());
        Random random = new Random(seed);
        for (int round = 0; round < 300; round++) {
            StringBuilder out = new StringBuilder();
            Map<String, JobState> expected = new LinkedHashMap<>();
            for (int j = 0, n = random.nextInt(10); j < n; j++) {
                String id = Integer.toString(100 + round * 20 + j);
                String[] st = randomState(random);
                if (random.nextBoolean()) {
                    int from = random.nextInt(5);
                    int to = from + random.nextInt(4);
                    out.append(id).append("_[").append(from).append('-').append(to).append("]|");
                    for (int t = from; t <= to; t++) {
                        expected.put(id + "_" + t, SlurmStates.map(st[0]));
                    }
                } else {
                    out.append(id).append('|');
                    expected.put(id, SlurmStates.map(st[0]));
                }
                out.append(randomName(random)).append('|').append(st[0]).append(random.nextBoolean() ? " by 0" : "")
                        .append('|').append(random.nextInt(4)).append(':').append(random.nextInt(2) * 15).append('|')
                        .append(random.nextBoolean() ? "None" : "Reason" + j).append('\n');
            }
            Map<String, JobStatus> parsed = SlurmOutput.sacct(out.toString());
            Map<String, JobState> states = new LinkedHashMap<>();
            parsed.forEach((id, s) -> states.put(id, s.state()));
            assertEquals(expected, states, "seed " + seed + " round " + round + "\n" + out);
            parsed.forEach((id, s) -> assertTrue(!s.state().isTerminal() || s.exitCode().isPresent(),
                    "seed " + seed + ": a finished job has an exit code: " + s));
        }
    }

    private static String randomTag(Random random) {
        String chars = "ABCabc019_.-";
        StringBuilder b = new StringBuilder();
        for (int i = 0, n = 1 + random.nextInt(8); i < n; i++) {
            b.append(chars.charAt(random.nextInt(chars.length())));
        }
        return b.toString();
    }

    /** A name our JobSpec accepts (SLURM prints it as given). */
    private static String randomName(Random random) {
        String chars = "ABCxyz0189_.-";
        StringBuilder b = new StringBuilder();
        for (int i = 0, n = 1 + random.nextInt(20); i < n; i++) {
            b.append(chars.charAt(random.nextInt(chars.length())));
        }
        return b.toString();
    }

    private static String hostile(Random random) {
        StringBuilder b = new StringBuilder();
        for (int i = 0, n = random.nextInt(5); i < n; i++) {
            b.append(NASTY[random.nextInt(NASTY.length)]);
        }
        return b.toString();
    }

    /** Comments of other jobs: other tags, our tag without a token, our prefix followed by hostile text. */
    private static String foreignComment(Random random, String tag) {
        return switch (random.nextInt(6)) {
            case 0 -> "juggler:" + tag + "x:" + UUID.randomUUID();
            case 1 -> "juggler:" + tag;
            case 2 -> "juggler:" + tag + ":";
            case 3 -> "juggler:" + tag + ":" + "x y";
            case 4 -> "Juggler:" + tag + ":abc";
            default -> hostile(random);
        };
    }

    /** A native state word and an squeue wait status to go with it. */
    private static String[] randomState(Random random) {
        String[][] states = {{"PENDING", "0"}, {"RUNNING", "0"}, {"COMPLETING", "0"}, {"COMPLETED", "0"},
            {"FAILED", Integer.toString(3 << 8)}, {"CANCELLED", "15"}, {"TIMEOUT", "0"}, {"OUT_OF_MEMORY", Integer.toString(1 << 8)},
            {"NODE_FAIL", "0"}, {"PREEMPTED", "0"}};
        return states[random.nextInt(states.length)];
    }
}

package dev.juggler.samples.config;

import dev.juggler.samples.config.ClusterConfig.Custom;
import dev.juggler.samples.config.ClusterConfig.Local;
import dev.juggler.samples.config.ClusterConfig.Slurm;
import dev.juggler.samples.config.ClusterConfig.Ssh;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/** Reads the {@code cluster:} section. Stateless. */
final class ClusterSection {

    private static final List<String> SLURM_KEYS = List.of("ssh", "partition", "account", "qos", "gpus", "cpus", "memory",
            "timeLimit", "arrayConcurrency", "prologue", "wrapper", "tag", "minPollInterval");
    private static final String CLASS_NAME = "([a-zA-Z_$][a-zA-Z0-9_$]*\\.)+[a-zA-Z_$][a-zA-Z0-9_$]*";

    private ClusterSection() {
    }

    static ClusterConfig read(Section s, LedgerConfig ledger) {
        String type = s.string("type", "local").trim();
        if (type.equals("local")) {
            int slots = s.integer("slots", ClusterConfig.DEFAULT_LOCAL_SLOTS, 1, 1024);
            Local local = new Local(slots, Optional.ofNullable(s.localPath("outputDirectory", null)));
            Map<String, String> elsewhere = elsewhere("applies only to type: slurm", SLURM_KEYS, "options");
            elsewhere.put("boxes", "boxes applies only to type: ssh-boxes");
            s.finish(elsewhere);
            return local;
        }
        if (type.equals("slurm")) {
            return slurm(s, ledger);
        }
        if (type.equals("ssh-boxes")) {
            return boxes(s, ledger);
        }
        if (!type.matches(CLASS_NAME)) {
            s.error("type", Section.show(type) + " is not a cluster type; write local, slurm, ssh-boxes, or the fully "
                    + "qualified class name of your own backend factory (e.g. com.example.MyBackendFactory)"
                    + Suggest.didYouMean(type, List.of("local", "slurm", "ssh-boxes")));
            s.finish(Map.of());
            return new Local(ClusterConfig.DEFAULT_LOCAL_SLOTS, Optional.empty());
        }
        Custom custom = new Custom(type, s.stringMap("options"));
        s.finish(elsewhere("not used by a custom backend; put its settings under cluster.options", SLURM_KEYS, "slots"));
        return custom;
    }

    private static Slurm slurm(Section s, LedgerConfig ledger) {
        Section sshSection = s.section("ssh");
        if (!sshSection.present()) {
            s.error("ssh", "is required for type: slurm: the login node, e.g. ssh: {host: login.example.org, user: alice}");
        }
        Ssh ssh = ssh(sshSection, true);
        Optional<String> partition = Optional.ofNullable(name(s, "partition"));
        Optional<String> account = Optional.ofNullable(name(s, "account"));
        Optional<String> qos = Optional.ofNullable(name(s, "qos"));
        int gpus = s.integer("gpus", 0, 0, 64);
        int cpus = s.integer("cpus", ClusterConfig.DEFAULT_CPUS, 1, 4096);
        long memory = s.size("memory", -1, 1L << 20);
        Duration timeLimit = s.duration("timeLimit", ClusterConfig.DEFAULT_TIME_LIMIT, Duration.ofMinutes(1));
        int arrayConcurrency = s.integer("arrayConcurrency", ClusterConfig.DEFAULT_ARRAY_CONCURRENCY, 0, 100_000);
        List<String> prologue = s.strings("prologue", List.of());
        List<String> wrapper = s.strings("wrapper", List.of());
        String output = s.string("outputDirectory", ClusterConfig.DEFAULT_OUTPUT_DIRECTORY);
        if (!output.startsWith("/")) {
            s.error("outputDirectory", Section.show(output) + " is not absolute; write an absolute path on the cluster, "
                    + "e.g. /scratch/alice/juggler-jobs (jobs start in the home directory)");
        }
        String tag = s.string("tag", null);
        if (tag == null) {
            tag = defaultTag(ledger);
        } else if (!tag.matches("[A-Za-z0-9_.-]{1,32}")) {
            s.error("tag", Section.show(tag) + " is not allowed; write 1-32 of A-Z a-z 0-9 _ . - (keep it stable: a "
                    + "restarted juggler finds its jobs by it)");
        }
        Duration minPoll = s.duration("minPollInterval", ClusterConfig.DEFAULT_MIN_POLL_INTERVAL, Duration.ZERO);
        Map<String, String> elsewhere = elsewhere("applies only to type: local", List.of("slots"), "options");
        elsewhere.put("boxes", "boxes applies only to type: ssh-boxes");
        s.finish(elsewhere);
        return new Slurm(ssh, partition, account, qos, gpus, cpus, memory < 0 ? OptionalLong.empty() : OptionalLong.of(memory),
                timeLimit, arrayConcurrency, prologue, wrapper, output, tag, minPoll);
    }

    private static final String BOXES_HINT = "the machines, e.g. boxes: [{name: gpu1, slots: 2, ssh: {host: "
            + "gpu1.lab.example, user: alice}}]";

    private static ClusterConfig.Boxes boxes(Section s, LedgerConfig ledger) {
        List<Section> items = s.sections("boxes");
        if (items.isEmpty()) {
            s.error("boxes", "is required for type: ssh-boxes and must list at least one machine: " + BOXES_HINT);
        }
        List<ClusterConfig.Box> boxes = new java.util.ArrayList<>();
        Map<String, String> places = new LinkedHashMap<>(); // user@host:port|workDirectory -> box name
        for (int i = 0; i < items.size(); i++) {
            Section b = items.get(i);
            String name = b.string("name", "box" + (i + 1));
            if (!name.matches("[A-Za-z0-9_.-]{1,32}")) {
                b.error("name", Section.show(name) + " is not a box name; write 1-32 of A-Z a-z 0-9 _ . -");
            } else if (boxes.stream().anyMatch(x -> x.name().equals(name))) {
                b.error("name", Section.show(name) + " names two boxes; give each box its own name");
            }
            Section sshSection = b.section("ssh");
            if (!sshSection.present()) {
                b.error("ssh", "is required for each box: how to reach it, e.g. ssh: {host: gpu1.lab.example, user: alice}");
            }
            Ssh ssh = ssh(sshSection, true);
            int slots = b.integer("slots", ClusterConfig.DEFAULT_BOX_SLOTS, 1, 64);
            String work = b.string("workDirectory", dev.juggler.samples.boxes.Box.DEFAULT_WORK_DIRECTORY);
            if (!work.startsWith("/") || work.equals("/") || work.chars().anyMatch(c -> c < ' ')) {
                b.error("workDirectory", Section.show(work) + " is not an absolute directory on the box (other than /); "
                        + "write e.g. /var/tmp/juggler-boxes");
            }
            String other = places.putIfAbsent(ssh.user() + "@" + ssh.host() + ":" + ssh.port() + "|" + work, name);
            if (other != null) {
                b.error("workDirectory", "box " + Section.show(name) + " is the same machine and directory as box "
                        + Section.show(other) + "; give one of them another workDirectory (they would count each "
                        + "other's jobs), or one box more slots");
            }
            b.finish();
            boxes.add(new ClusterConfig.Box(name, ssh, slots, work));
        }
        Duration timeLimit = s.duration("timeLimit", ClusterConfig.DEFAULT_TIME_LIMIT, Duration.ofMinutes(1));
        List<String> prologue = s.strings("prologue", List.of());
        List<String> wrapper = s.strings("wrapper", List.of());
        String tag = s.string("tag", null);
        if (tag == null) {
            tag = defaultTag(ledger);
        } else if (!tag.matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,31}")) {
            s.error("tag", Section.show(tag) + " is not allowed; write 1-32 of A-Z a-z 0-9 _ . -, starting with a letter "
                    + "or digit (keep it stable: a restarted juggler finds its jobs by it)");
        }
        Map<String, String> elsewhere = new LinkedHashMap<>();
        for (String k : List.of("ssh", "partition", "account", "qos", "gpus", "cpus", "memory", "arrayConcurrency",
                "outputDirectory", "minPollInterval", "slots")) {
            elsewhere.put(k, k + (k.equals("ssh") || k.equals("slots") ? " belongs to each box under boxes: " + BOXES_HINT
                    : " does not apply to type: ssh-boxes (one job per GPU slot; output stays in the job directory)"));
        }
        elsewhere.put("options", "options applies only to a custom backend type");
        s.finish(elsewhere);
        return new ClusterConfig.Boxes(boxes, timeLimit, prologue, wrapper, tag);
    }

    /** The default tag: stable for one ledger (URL and table prefix), so a restarted juggler finds its jobs. */
    static String defaultTag(LedgerConfig ledger) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest((ledger.url() + "|" + ledger.tablePrefix())
                    .getBytes(StandardCharsets.UTF_8));
            return "jg-" + HexFormat.of().formatHex(hash, 0, 4);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    private static String name(Section s, String key) {
        String v = s.string(key, null);
        if (v != null && !v.matches("[A-Za-z0-9_.,:+-]{1,64}")) {
            s.error(key, Section.show(v) + " is not a SLURM " + key + " name; write letters, digits, _ . , : + -");
            return null;
        }
        return v;
    }

    static Ssh ssh(Section s, boolean allowJump) {
        String host = s.required("host", "the SSH host name or address");
        if (host != null && !host.matches("[A-Za-z0-9.:_\\[\\]-]+")) {
            s.error("host", Section.show(host) + " is not a host name; write e.g. login.cluster.example");
            host = null;
        }
        int port = s.integer("port", dev.juggler.slurm.ssh.SshConfig.DEFAULT_PORT, 1, 65535);
        String user = s.string("user", s.context.env().getOrDefault("USER", System.getProperty("user.name")));
        if (!user.matches("[A-Za-z0-9_.][A-Za-z0-9_.@-]*")) {
            s.error("user", Section.show(user) + " is not a user name; write letters, digits, _ . @ -");
        }
        var identity = Optional.ofNullable(s.localPath("identityFile", null));
        identity.filter(f -> !java.nio.file.Files.isReadable(f)).ifPresent(f -> s.error("identityFile",
                Escape.quoted(f.toString()) + " is not a readable file; write the path of your private key, e.g. "
                        + "~/.ssh/id_ed25519"));
        var knownHosts = Optional.ofNullable(s.localPath("knownHosts", null));
        boolean acceptNew = s.bool("acceptNewHostKeys", false);
        Optional<Ssh> jump = Optional.empty();
        if (allowJump) {
            Section j = s.section("jumpHost");
            if (j.present()) {
                jump = Optional.of(ssh(j, false));
            }
        }
        s.finish(allowJump ? Map.of() : Map.of("jumpHost", "a jump host cannot have its own jump host"));
        return new Ssh(host == null ? "invalid" : host, port, user, identity, knownHosts, acceptNew, jump);
    }

    private static Map<String, String> elsewhere(String hint, List<String> keys, String... more) {
        Map<String, String> out = new LinkedHashMap<>();
        keys.forEach(k -> out.put(k, k + " " + hint));
        for (String k : more) {
            out.put(k, k + (k.equals("options") ? " applies only to a custom backend type" : " applies only to type: local"));
        }
        return out;
    }
}

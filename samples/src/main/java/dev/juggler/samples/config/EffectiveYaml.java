package dev.juggler.samples.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Writes a {@link JugglerConfig} back as YAML, defaults included, password masked. Stateless. */
final class EffectiveYaml {

    private static final ObjectMapper YAML = new ObjectMapper(YAMLFactory.builder()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .build());

    private EffectiveYaml() {
    }

    static String write(JugglerConfig c) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("version", JugglerConfig.VERSION);
        root.put("ledger", ledger(c.ledger()));
        root.put("cluster", cluster(c.cluster()));
        Map<String, Object> ws = new LinkedHashMap<>();
        ws.put("type", c.workspace().type().key());
        ws.put("directory", c.workspace().directory());
        ws.put("budget", Units.formatSize(c.workspace().budgetBytes()));
        ws.put("verifyChecksum", c.workspace().verifyChecksum());
        root.put("workspace", ws);
        root.put("worker", worker(c.worker()));
        Map<String, Object> loop = new LinkedHashMap<>();
        loop.put("maxQueuedJobs", c.juggler().maxQueuedJobs());
        loop.put("maxActiveJobs", c.juggler().maxActiveJobs());
        loop.put("pollInterval", Units.formatDuration(c.juggler().pollInterval()));
        loop.put("parallelStaging", c.juggler().parallelStaging());
        loop.put("failedJobsBeforeBackoff", c.juggler().failedJobsBeforeBackoff());
        root.put("juggler", loop);
        List<Object> videos = new ArrayList<>();
        for (VideoSourceConfig v : c.videos()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put(v.kind().key(), v.location());
            if (v.kind() == VideoSourceConfig.Kind.FOLDER || v.kind() == VideoSourceConfig.Kind.IMAGES) {
                m.put("recursive", v.recursive());
            }
            if (v.kind() == VideoSourceConfig.Kind.FOLDER || v.kind() == VideoSourceConfig.Kind.GLOB) {
                m.put("include", v.include());
            }
            v.fps().ifPresent(f -> m.put("fps", f));
            v.tags().ifPresent(t -> m.put("tags", t));
            m.put("analyses", v.analyses());
            m.put("priority", v.priority());
            m.put("id", v.id());
            videos.add(m);
        }
        root.put("videos", videos);
        Map<String, Object> console = new LinkedHashMap<>();
        console.put("enabled", c.console().enabled());
        console.put("bind", c.console().bind());
        console.put("readOnly", c.console().readOnly());
        c.console().tokenEnv().ifPresent(t -> console.put("tokenEnv", t));
        root.put("console", console);
        Map<String, Object> clean = new LinkedHashMap<>();
        clean.put("afterTrack", c.clean().afterTrack());
        dev.juggler.inference.clean.CleanSettings cs = c.clean().settings();
        clean.put("maxGap", cs.maxGap());
        clean.put("keepAlive", cs.keepAliveFrames());
        clean.put("maxMatchCost", cs.maxMatchCost());
        clean.put("minConfidence", cs.minConfidence());
        clean.put("maxSpeed", cs.maxSpeed());
        clean.put("maxBoneChange", cs.maxBoneChange());
        clean.put("smoothing", cs.smoothing().key());
        clean.put("order", cs.order());
        clean.put("cutoffHz", cs.cutoffHz());
        clean.put("minCutoffHz", cs.minCutoffHz());
        clean.put("beta", cs.beta());
        clean.put("weighByConfidence", cs.weighByConfidence());
        root.put("clean", clean);
        try {
            return YAML.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the effective config", e);
        }
    }

    private static Map<String, Object> ledger(LedgerConfig l) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("url", l.url());
        l.user().ifPresent(u -> m.put("user", u));
        l.passwordEnv().ifPresent(e -> {
            m.put("passwordEnv", e);
            m.put("password", "(from env " + e + ")");
        });
        l.passwordFile().ifPresent(f -> {
            m.put("passwordFile", f.toString());
            m.put("password", "(hidden, from " + f + ")");
        });
        m.put("tablePrefix", l.tablePrefix());
        l.schema().ifPresent(s -> m.put("schema", s));
        m.put("poolSize", l.poolSize());
        m.put("maxAttempts", l.maxAttempts());
        return m;
    }

    private static Map<String, Object> cluster(ClusterConfig cluster) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", cluster.type());
        if (cluster instanceof ClusterConfig.Local local) {
            m.put("slots", local.slots());
            local.outputDirectory().ifPresent(d -> m.put("outputDirectory", d.toString()));
        } else if (cluster instanceof ClusterConfig.Slurm s) {
            m.put("ssh", ssh(s.ssh()));
            put(m, "partition", s.partition());
            put(m, "account", s.account());
            put(m, "qos", s.qos());
            m.put("gpus", s.gpus());
            m.put("cpus", s.cpus());
            s.memoryBytes().ifPresent(b -> m.put("memory", Units.formatSize(b)));
            m.put("timeLimit", Units.formatDuration(s.timeLimit()));
            m.put("arrayConcurrency", s.arrayConcurrency());
            m.put("prologue", s.prologue());
            m.put("wrapper", s.wrapper());
            m.put("outputDirectory", s.outputDirectory());
            m.put("tag", s.tag());
            m.put("minPollInterval", Units.formatDuration(s.minPollInterval()));
        } else if (cluster instanceof ClusterConfig.Boxes b) {
            List<Object> boxes = new java.util.ArrayList<>();
            for (ClusterConfig.Box box : b.boxes()) {
                Map<String, Object> one = new LinkedHashMap<>();
                one.put("name", box.name());
                one.put("ssh", ssh(box.ssh()));
                one.put("slots", box.slots());
                one.put("workDirectory", box.workDirectory());
                boxes.add(one);
            }
            m.put("boxes", boxes);
            m.put("timeLimit", Units.formatDuration(b.timeLimit()));
            m.put("prologue", b.prologue());
            m.put("wrapper", b.wrapper());
            m.put("tag", b.tag());
        } else if (cluster instanceof ClusterConfig.Custom custom) {
            m.put("options", custom.options());
        }
        return m;
    }

    private static Map<String, Object> ssh(ClusterConfig.Ssh ssh) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("host", ssh.host());
        m.put("port", ssh.port());
        m.put("user", ssh.user());
        ssh.identityFile().ifPresent(f -> m.put("identityFile", f.toString()));
        ssh.knownHosts().ifPresent(f -> m.put("knownHosts", f.toString()));
        m.put("acceptNewHostKeys", ssh.acceptNewHostKeys());
        ssh.jumpHost().ifPresent(j -> m.put("jumpHost", ssh(j)));
        return m;
    }

    private static Map<String, Object> worker(WorkerConfig w) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("analysis", w.analysis());
        put(m, "model", w.model());
        m.put("posePeople", w.posePeople());
        put(m, "detector", w.detector());
        put(m, "boxDetector", w.boxDetector());
        m.put("poseTiles", w.poseTiles());
        w.remote().ifPresent(r -> {
            Map<String, Object> remote = new LinkedHashMap<>();
            remote.put("endpoints", r.endpoints());
            remote.put("model", r.model());
            put(remote, "tokenFile", r.tokenFile());
            m.put("remote", remote);
        });
        Map<String, Object> o = new LinkedHashMap<>();
        put(o, "binary", w.openpose().binary());
        o.put("args", w.openpose().args());
        o.put("numGpu", w.openpose().numGpu());
        o.put("numGpuStart", w.openpose().numGpuStart());
        m.put("openpose", o);
        m.put("initialChunk", w.initialChunk());
        m.put("maxChunk", w.maxChunk());
        m.put("lease", Units.formatDuration(w.lease()));
        m.put("safetyMargin", Units.formatDuration(w.safetyMargin()));
        m.put("targetChunk", Units.formatDuration(w.targetChunk()));
        m.put("checkpointFrames", w.checkpointFrames());
        m.put("checkpointInterval", Units.formatDuration(w.checkpointInterval()));
        m.put("framesPerWorker", w.framesPerWorker());
        m.put("java", w.java());
        m.put("jvmOptions", w.jvmOptions());
        put(m, "deployDirectory", w.deployDirectory());
        return m;
    }

    private static void put(Map<String, Object> m, String key, Optional<String> value) {
        value.ifPresent(v -> m.put(key, v));
    }
}

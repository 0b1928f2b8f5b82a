package dev.juggler.samples.deploy;

import dev.juggler.slurm.ssh.SshClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Puts a {@link Payload} under a {@link DeployLayout} on the cluster and records it as a release: every file
 * into the content-addressed store (skipped when there, resumed when cut off, verified, renamed into place),
 * then the release's argument file and record, then {@code current.args} and {@code current} (each written
 * atomically, {@code current} last, so a reader sees the old release or the new one, whole). Nothing is ever
 * deleted: jobs still running from an older release keep their files. Not thread-safe (one deploy at a time).
 */
public final class Deployer {

    /**
     * What a deploy did.
     *
     * @param release the release now current
     * @param files files in the release
     * @param totalBytes their bytes
     * @param uploaded files sent (whole, resumed or replaced)
     * @param bytesUploaded bytes sent
     * @param alreadyThere files that were there already (skipped or verified)
     * @param verified of those, checked with sha256sum ({@code --verify})
     * @param resumed uploads continued from an interrupted one
     * @param replaced files that were wrong on the cluster and were sent again
     */
    public record Summary(Release release, int files, long totalBytes, int uploaded, long bytesUploaded, int alreadyThere,
            int verified, int resumed, int replaced) {

        /** The one closing line. */
        public String line() {
            return "deployed release " + release.id() + ": " + files + " files (" + UploadProgress.mb(totalBytes) + "), "
                    + uploaded + " uploaded (" + bytesUploaded + " bytes), " + alreadyThere + " already there"
                    + (verified > 0 ? " (" + verified + " verified)" : "") + (resumed > 0 ? ", " + resumed + " resumed" : "")
                    + (replaced > 0 ? ", " + replaced + " replaced (were corrupt)" : "");
        }
    }

    private final SshClient ssh;
    private final DeployLayout layout;

    public Deployer(SshClient ssh, DeployLayout layout) {
        this.ssh = ssh;
        this.layout = layout;
    }

    /**
     * Deploys {@code payload}.
     *
     * @param verify hash the files that are there already on the cluster, and replace wrong ones
     * @throws dev.juggler.JugglerException if an upload cannot be verified or the cluster fails
     */
    public Summary deploy(Payload payload, boolean verify, UploadProgress progress) {
        CasStore store = new CasStore(ssh, layout);
        Map<String, Long> present = store.prepare();
        List<Artifact> all = payload.all();
        int uploaded = 0;
        int already = 0;
        int verified = 0;
        int resumed = 0;
        int replaced = 0;
        long sent = 0;
        long total = 0;
        for (int i = 0; i < all.size(); i++) {
            Artifact a = all.get(i);
            total += a.size();
            int index = i + 1;
            boolean[] started = {false};
            CasStore.Listener listener = new CasStore.Listener() {
                @Override
                public void uploading(long from) {
                    if (!started[0]) {
                        started[0] = true;
                        progress.start(a, from, index, all.size());
                    }
                }

                @Override
                public void bytesWritten(long bytes) {
                    progress.bytes(bytes);
                }
            };
            CasStore.Put put;
            try {
                put = store.put(a, present, verify, listener);
            } catch (RuntimeException e) {
                progress.abort();
                throw e;
            }
            if (started[0]) {
                progress.done(put);
            }
            switch (put.outcome()) {
                case PRESENT -> already++;
                case VERIFIED -> {
                    already++;
                    verified++;
                }
                case RESUMED -> {
                    uploaded++;
                    resumed++;
                }
                case REPLACED -> {
                    uploaded++;
                    replaced++;
                }
                case UPLOADED -> uploaded++;
            }
            sent += put.bytesSent();
        }
        List<String> classPath = new ArrayList<>();
        payload.classPath().forEach(a -> classPath.add(a.casName()));
        Optional<String> model = payload.model().map(Artifact::casName);
        Release release = Release.of(layout, classPath, model, payload.detector().map(Artifact::casName),
                payload.boxDetector().map(Artifact::casName));
        String args = Release.argsText(layout, classPath);
        store.writeAtomically(release.argsFile(), args);
        store.writeAtomically(layout.releaseFile(release.id()), release.text());
        store.writeAtomically(layout.currentArgsFile(), args);
        store.writeAtomically(layout.currentFile(), release.text());
        return new Summary(release, all.size(), total, uploaded, sent, already, verified, resumed, replaced);
    }
}

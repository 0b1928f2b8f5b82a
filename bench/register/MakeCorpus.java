import dev.juggler.inference.video.SyntheticVideo;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * bench/register.sh's corpus: N videos under DIR in 100 camera folders, as hard links to a few distinct
 * short MP4 files (so that a corpus of 10,000 costs seconds and megabytes to make, while register still
 * opens, probes and registers every one as its own file). Names follow the config's tag pattern.
 */
public final class MakeCorpus {
    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        int count = Integer.parseInt(args[1]);
        Path originals = Files.createDirectories(dir.resolveSibling("originals"));
        Path[] sources = new Path[4];
        for (int i = 0; i < sources.length; i++) {
            sources[i] = originals.resolve("source-" + i + ".mp4");
            if (!Files.exists(sources[i])) {
                SyntheticVideo.builder().size(160, 120).frames(50 + 25 * i).fastStart(true).write(sources[i]);
            }
        }
        for (int i = 0; i < count; i++) {
            Path camera = Files.createDirectories(dir.resolve(String.format("REG%02d", i % 100)));
            Path link = camera.resolve(String.format("REG%02d_C%d_2026%02d%02dT%04d.mp4", i % 100, i % 4, 1 + i % 12, 1 + i % 28, i));
            if (!Files.exists(link)) {
                Files.createLink(link, sources[i % sources.length]);
            }
        }
        System.out.println("corpus: " + count + " files under " + dir);
    }
}

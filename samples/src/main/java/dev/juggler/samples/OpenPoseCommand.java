package dev.juggler.samples;

import dev.juggler.inference.openpose.OpenPoseDocument;
import dev.juggler.inference.openpose.OpenPoseFiles;
import dev.juggler.inference.openpose.OpenPoseFormatException;
import dev.juggler.inference.openpose.OpenPoseJson;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code juggler openpose}: tools for OpenPose keypoint JSON files. */
@Command(name = "openpose", mixinStandardHelpOptions = true, description = "Tools for OpenPose keypoint JSON files.",
        subcommands = {OpenPoseCommand.Check.class})
final class OpenPoseCommand implements Runnable {

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /**
     * {@code juggler openpose check PATH…}: validates files (any OpenPose version) and folders of them
     * (their {@code *.json} files, in name order, one at a time, so folders of 100,000 files are fine), and
     * says for each valid file whether writing it again as 1.3 reproduces the same data.
     */
    @Command(name = "check", mixinStandardHelpOptions = true,
            description = "Checks OpenPose JSON files or folders: prints OK or the error per file, and whether "
                    + "re-writing a valid file as 1.3 reproduces the same data. Exit status 1 if any file is bad.")
    static final class Check implements Callable<Integer> {

        @Parameters(arity = "1..*", paramLabel = "PATH", description = "Files or folders.")
        List<Path> paths;

        @Option(names = {"-q", "--quiet"}, description = "Print only problems and the summary.")
        boolean quiet;

        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec spec;

        private long ok;
        private long bad;
        private long changed;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            for (Path path : paths) {
                if (Files.isDirectory(path)) {
                    long n = OpenPoseFiles.readAll(path, (file, doc, error) -> report(out, file, doc, error));
                    if (n == 0 && !quiet) {
                        out.printf("%s: no *.json files%n", path);
                    }
                } else if (Files.exists(path)) {
                    OpenPoseDocument doc = null;
                    OpenPoseFormatException error = null;
                    try {
                        doc = OpenPoseJson.readDocument(path);
                    } catch (OpenPoseFormatException e) {
                        error = e;
                    }
                    report(out, path, doc, error);
                } else {
                    bad++;
                    out.printf("ERROR %s: no such file or folder%n", path);
                }
            }
            out.printf("%d file(s): %d OK (%d not reproduced exactly by re-writing), %d with errors%n", ok + bad, ok,
                    changed, bad);
            out.flush();
            return bad == 0 ? JugglerCli.OK : JugglerCli.FAILED;
        }

        private void report(PrintWriter out, Path file, OpenPoseDocument doc, OpenPoseFormatException error) {
            if (error != null) {
                bad++;
                out.printf("ERROR %s%n", error.getMessage());
                return;
            }
            ok++;
            // Re-write as 1.3 and read back: OpenPose's 6-significant-digit numbers can lose precision that
            // the file had, and older versions gain the fields 1.3 always writes; data is what must match.
            Optional<String> difference = doc.firstDifference(
                    OpenPoseJson.readDocument(OpenPoseJson.toJson(doc), "re-written " + file));
            if (difference.isPresent()) {
                changed++;
                out.printf("OK    %s (%d people, version %s); re-writing changes data: %s%n", file, doc.people().size(),
                        doc.version().orElse("none"), difference.get());
            } else if (!quiet) {
                out.printf("OK    %s (%d people, version %s); re-writing reproduces the same data%n", file,
                        doc.people().size(), doc.version().orElse("none"));
            }
        }
    }
}

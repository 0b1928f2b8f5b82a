package dev.juggler.samples.console;

import dev.juggler.InvalidConfigException;
import dev.juggler.inference.clean.CleanSettings;
import dev.juggler.inference.clean.CleanSettings.Smoothing;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * The cleaning settings of {@code juggler clean} as options, each set through its {@link CleanSettings.Builder}
 * setter so that the builder stays the one judge of what is valid. The fields start at the builder's defaults, so
 * {@code --help} shows them without a second copy of the numbers. Not thread-safe: picocli fills it once.
 */
final class CleanOptions {

    private static final CleanSettings DEFAULTS = CleanSettings.defaults();
    private static final List<String> BUTTERWORTH_ONLY = List.of("--order", "--cutoff");
    private static final List<String> ONE_EURO_ONLY = List.of("--min-cutoff", "--beta");

    @Option(names = "--max-gap", paramLabel = "N",
            description = "Fill runs of up to N missing frames of a keypoint by interpolation; 0 fills nothing (default: ${DEFAULT-VALUE}).")
    int maxGap = DEFAULTS.maxGap();

    @Option(names = "--keep-alive", paramLabel = "N",
            description = "Frames a person's identity survives unseen, e.g. behind someone (default: ${DEFAULT-VALUE}).")
    int keepAlive = DEFAULTS.keepAliveFrames();

    @Option(names = "--max-match-cost", paramLabel = "X",
            description = "Largest cost, in body heights, at which a person continues an identity (default: ${DEFAULT-VALUE}).")
    double maxMatchCost = DEFAULTS.maxMatchCost();

    @Option(names = "--max-speed", paramLabel = "X",
            description = "Fastest plausible keypoint speed in body heights per second; faster jumps are outliers (default: ${DEFAULT-VALUE}).")
    double maxSpeed = DEFAULTS.maxSpeed();

    @Option(names = "--max-bone-change", paramLabel = "X",
            description = "Largest plausible factor between a bone's length and its running mean (default: ${DEFAULT-VALUE}).")
    double maxBoneChange = DEFAULTS.maxBoneChange();

    @Option(names = "--min-confidence", paramLabel = "C",
            description = "Keypoints below this confidence count as missing (default: ${DEFAULT-VALUE}).")
    double minConfidence = DEFAULTS.minConfidence();

    @Option(names = "--smoothing", paramLabel = "FILTER",
            description = "butterworth (zero-phase, for finished tracks), one-euro (causal, as live) or none (default: ${DEFAULT-VALUE}).")
    String smoothing = DEFAULTS.smoothing().key();

    @Option(names = "--order", paramLabel = "N", description = "Butterworth filter order (default: ${DEFAULT-VALUE}).")
    int order = DEFAULTS.order();

    @Option(names = "--cutoff", paramLabel = "HZ",
            description = "Butterworth cutoff frequency; must be below half the video's fps (default: ${DEFAULT-VALUE}).")
    double cutoffHz = DEFAULTS.cutoffHz();

    @Option(names = "--min-cutoff", paramLabel = "HZ", description = "One Euro minimum cutoff frequency (default: ${DEFAULT-VALUE}).")
    double minCutoffHz = DEFAULTS.minCutoffHz();

    @Option(names = "--beta", paramLabel = "X",
            description = "One Euro speed coefficient: how much the cutoff rises with speed, so fast moves lag less (default: ${DEFAULT-VALUE}).")
    double beta = DEFAULTS.beta();

    @Option(names = "--no-confidence-weights", description = "Smooth every kept point alike instead of weighing it by its confidence.")
    boolean noConfidenceWeights;

    /**
     * The settings, or a usage error naming the option whose value the builder refused, or an option of a filter
     * that is not the chosen one (a typo there would otherwise be ignored without a word).
     */
    CleanSettings settings(CommandLine commandLine) {
        Smoothing filter = smoothing(commandLine);
        CommandLine.ParseResult parsed = commandLine.getParseResult();
        List<String> unused = switch (filter) {
            case BUTTERWORTH -> ONE_EURO_ONLY;
            case ONE_EURO -> BUTTERWORTH_ONLY;
            case NONE -> List.of("--order", "--cutoff", "--min-cutoff", "--beta", "--no-confidence-weights");
        };
        for (String option : unused) {
            if (parsed != null && parsed.hasMatchedOption(option)) {
                throw new ParameterException(commandLine, option + " does not apply to --smoothing " + filter.key());
            }
        }
        CleanSettings.Builder b = CleanSettings.builder();
        apply(commandLine, "--max-gap", () -> b.maxGap(maxGap));
        apply(commandLine, "--keep-alive", () -> b.keepAliveFrames(keepAlive));
        apply(commandLine, "--max-match-cost", () -> b.maxMatchCost(maxMatchCost));
        apply(commandLine, "--max-speed", () -> b.maxSpeed(maxSpeed));
        apply(commandLine, "--max-bone-change", () -> b.maxBoneChange(maxBoneChange));
        apply(commandLine, "--min-confidence", () -> b.minConfidence(minConfidence));
        apply(commandLine, "--order", () -> b.order(order));
        apply(commandLine, "--cutoff", () -> b.cutoffHz(cutoffHz));
        apply(commandLine, "--min-cutoff", () -> b.minCutoffHz(minCutoffHz));
        apply(commandLine, "--beta", () -> b.beta(beta));
        return b.smoothing(filter).weighByConfidence(!noConfidenceWeights).build();
    }

    /**
     * A builder's message ({@code "smoothing.cutoffHz = 20.0: must be ..."}) with its field replaced by the option,
     * since the person at the terminal typed the option and never saw the field.
     */
    static String asOption(String option, InvalidConfigException e) {
        String message = String.valueOf(e.getMessage());
        int equals = message.indexOf(" = ");
        return equals > 0 ? option + message.substring(equals) : option + ": " + message;
    }

    private Smoothing smoothing(CommandLine commandLine) {
        return Smoothing.ofKey(smoothing).orElseThrow(() -> new ParameterException(commandLine, "--smoothing = "
                + dev.juggler.samples.config.Escape.quoted(smoothing) + ": must be butterworth, one-euro or none"));
    }

    private static void apply(CommandLine commandLine, String option, Runnable setter) {
        try {
            setter.run();
        } catch (InvalidConfigException e) {
            throw new ParameterException(commandLine, asOption(option, e));
        }
    }
}

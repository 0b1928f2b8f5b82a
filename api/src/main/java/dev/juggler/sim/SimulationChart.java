package dev.juggler.sim;

import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/** Draws a {@link SimulationReport}'s time series as an SVG of three panels sharing the time axis. Stateless. */
final class SimulationChart {

    private static final int WIDTH = 900;
    private static final int PANEL = 150;
    private static final int LEFT = 70;
    private static final int RIGHT = 20;
    private static final int GAP = 40;
    private static final int MAX_POINTS = 1500;

    private SimulationChart() {
    }

    static String svg(SimulationReport report) {
        List<SimulationReport.Sample> samples = thin(report.samples());
        double hours = samples.isEmpty() ? 1 : Math.max(1e-9, samples.get(samples.size() - 1).hours());
        int height = 3 * (PANEL + GAP) + 30;
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                + "font-family=\"sans-serif\" font-size=\"12\">%n", WIDTH, height));
        s.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        double maxNodes = samples.stream().mapToDouble(x -> Math.max(x.availableNodes(), x.running() + x.queued())).max().orElse(1);
        int top = 20;
        panel(s, top, "jobs: available nodes (wide grey), running (blue), queued (orange)", maxNodes, hours, samples);
        maintenance(s, top, hours, samples);
        line(s, top, maxNodes, hours, samples, x -> x.availableNodes(), "#bbbbbb", 5);
        line(s, top, maxNodes, hours, samples, x -> x.running(), "#1f77b4", 1.5);
        line(s, top, maxNodes, hours, samples, x -> x.queued(), "#ff7f0e", 1.5);
        top += PANEL + GAP;
        double total = Math.max(1, report.framesTotal());
        panel(s, top, "frames done (% of the corpus)", 100, hours, samples);
        line(s, top, 100, hours, samples, x -> 100.0 * x.framesDone() / total, "#2ca02c", 1.5);
        top += PANEL + GAP;
        double budgetGb = report.workspaceBudget() / 1e9;
        panel(s, top, "workspace use (GB; budget dashed)", budgetGb, hours, samples);
        s.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#d62728\" stroke-dasharray=\"5,4\"/>%n",
                LEFT, top, WIDTH - RIGHT, top));
        line(s, top, budgetGb, hours, samples, x -> x.workspaceBytes() / 1e9, "#9467bd", 1.5);
        s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">days since the start</text>%n",
                LEFT + (WIDTH - LEFT - RIGHT) / 2, height - 6));
        return s.append("</svg>\n").toString();
    }

    private static List<SimulationReport.Sample> thin(List<SimulationReport.Sample> samples) {
        if (samples.size() <= MAX_POINTS) {
            return samples;
        }
        int every = (samples.size() + MAX_POINTS - 1) / MAX_POINTS;
        java.util.ArrayList<SimulationReport.Sample> kept = new java.util.ArrayList<>();
        for (int i = 0; i < samples.size(); i += every) {
            kept.add(samples.get(i));
        }
        kept.add(samples.get(samples.size() - 1));
        return kept;
    }

    private static void panel(StringBuilder s, int top, String title, double max, double hours, List<SimulationReport.Sample> samples) {
        int plotWidth = WIDTH - LEFT - RIGHT;
        s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-weight=\"bold\">%s</text>%n", LEFT, top - 6, title));
        s.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#cccccc\"/>%n",
                LEFT, top, plotWidth, PANEL));
        for (int i = 0; i <= 4; i++) {
            double value = max * (4 - i) / 4;
            int y = top + PANEL * i / 4;
            s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>%n", LEFT - 6, y + 4,
                    value >= 100 ? String.format(Locale.ROOT, "%.0f", value) : String.format(Locale.ROOT, "%.1f", value)));
        }
        double days = hours / 24;
        double tick = days <= 14 ? 1 : days <= 70 ? 7 : 30;
        for (double d = 0; d <= days + 1e-9; d += tick) {
            int x = LEFT + (int) Math.round(plotWidth * d / days);
            s.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#eeeeee\"/>%n", x, top, x, top + PANEL));
            s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%.0f</text>%n", x, top + PANEL + 14, d));
        }
    }

    private static void maintenance(StringBuilder s, int top, double hours, List<SimulationReport.Sample> samples) {
        int plotWidth = WIDTH - LEFT - RIGHT;
        for (int i = 0; i + 1 < samples.size(); i++) {
            if (!samples.get(i).controllerUp()) {
                double x0 = LEFT + plotWidth * samples.get(i).hours() / hours;
                double x1 = LEFT + plotWidth * samples.get(i + 1).hours() / hours;
                s.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"#fde0dc\"/>%n",
                        x0, top, Math.max(1, x1 - x0), PANEL));
            }
        }
    }

    private static void line(StringBuilder s, int top, double max, double hours, List<SimulationReport.Sample> samples,
            ToDoubleFunction<SimulationReport.Sample> value, String colour, double width) {
        int plotWidth = WIDTH - LEFT - RIGHT;
        StringBuilder points = new StringBuilder();
        for (SimulationReport.Sample sample : samples) {
            double x = LEFT + plotWidth * sample.hours() / hours;
            double y = top + PANEL - PANEL * Math.min(1.05, value.applyAsDouble(sample) / Math.max(1e-9, max));
            points.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
        }
        s.append(String.format(Locale.ROOT, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"%.1f\" points=\"%s\"/>%n",
                colour, width, points.toString().trim()));
    }
}

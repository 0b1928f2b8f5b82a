package dev.juggler.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.juggler.ledger.InMemoryWorkLedger;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;

class SimulationTest {

    static SimulationConfig small(long seed) {
        ClusterModel cluster = new ClusterModel(8, 2, new ClusterModel.Availability(5, 2, 8, Duration.ofHours(1), 1.0, List.of()),
                Duration.ofMinutes(2), Duration.ofHours(2), Duration.ofSeconds(30), 0, true, List.of(), Duration.ofHours(1));
        WorkerModel workers = new WorkerModel(Duration.ofMinutes(1), Map.of("normal", 10.0, "large", 5.0), 0.1, 0, 0);
        StagerModel stager = new StagerModel(50e6, 0);
        CorpusModel corpus = new CorpusModel(6, List.of(new CorpusModel.Camera("a", 100_000, 2_000_000_000L, "normal"),
                new CorpusModel.Camera("b", 50_000, 4_000_000_000L, "large")));
        RunSettings run = RunSettings.defaults("pose", 20_000_000_000L).withPollInterval(Duration.ofMinutes(1));
        run = new RunSettings(run.analysis(), run.pollInterval(), 20, 1000, 72_000, 2, run.workspaceBudget(), Duration.ofMinutes(2),
                Duration.ofMinutes(10), 500, 100_000, Duration.ofMinutes(15), 250, Duration.ofMinutes(1));
        return new SimulationConfig(cluster, workers, stager, corpus, run, 10, seed, Duration.ofDays(60), Duration.ofMinutes(10),
                SimulationConfig.DEFAULT_START);
    }

    /** The small scenario with everything that goes wrong in a long run. */
    static SimulationConfig hostile(long seed) {
        SimulationConfig base = small(seed);
        ClusterModel c = base.cluster();
        ClusterModel cluster = new ClusterModel(c.nodes(), c.gpusPerNode(),
                new ClusterModel.Availability(5, 1, 8, Duration.ofHours(1), 2.5, List.of()), c.queueWait(), c.timeLimit(),
                c.killGrace(), 3.0, true,
                List.of(new ClusterModel.Maintenance(Duration.ofHours(3), Duration.ofHours(4), Duration.ofDays(2))),
                c.endedJobsVisibleFor());
        WorkerModel workers = new WorkerModel(Duration.ofMinutes(1), Map.of("normal", 10.0, "large", 5.0), 0.3, 3.0, 0.25);
        return new SimulationConfig(cluster, workers, new StagerModel(50e6, 0.3), base.corpus(), base.run(), base.frameQuantum(),
                seed, base.horizon(), base.sampleInterval(), base.start());
    }

    @Test
    void smallRunFinishesNearTheIdeal() {
        SimulationReport report = Simulation.run(small(1), InMemoryWorkLedger::new, line -> { });
        assertTrue(report.finished(), report.text());
        assertEquals(report.framesTotal(), report.framesDone());
        assertEquals(0, report.framesFailed());
        assertTrue(report.makespanVsIdeal() >= 0.95 && report.makespanVsIdeal() < 1.3, report.text());
        assertTrue(report.usefulGpuShare() > 0.9 && report.usefulGpuShare() <= 1.0, report.text());
        assertTrue(report.peakWorkspaceBytes() <= report.workspaceBudget(), report.text());
        assertTrue(report.ledgerTransactionsPerDay() > 0 && report.controllerCallsPerDay() > 0, report.text());
    }

    @Test
    void aHostileRunStillAccountsForEveryFrame() {
        SimulationReport report = Simulation.run(hostile(7), InMemoryWorkLedger::new, line -> { });
        String why = "seed 7\n" + report.text();
        assertTrue(report.finished(), why);
        assertEquals(report.framesTotal(), report.framesDone() + report.framesFailed(), why);
        assertTrue(report.framesFailed() > 0, "a quarter of the videos are damaged: " + why);
        assertTrue(report.controllerCallsRefused() > 0, "maintenance refused calls: " + why);
        assertTrue(report.transfersFailed() > 0, why);
        assertTrue(report.framesRedone() > 0, "crashes and node failures lose work: " + why);
        assertTrue(report.jobsEnded().keySet().containsAll(List.of("FAILED", "NODE_FAILURE")), why);
        assertTrue(report.samples().stream().anyMatch(s -> !s.controllerUp()), why);
        assertTrue(report.usefulGpuShare() > 0.5 && report.usefulGpuShare() <= 1.0, why);
    }

    @Test
    void oneSeedGivesOneOutcome() {
        SimulationReport first = Simulation.run(hostile(11), InMemoryWorkLedger::new, line -> { });
        SimulationReport second = Simulation.run(hostile(11), InMemoryWorkLedger::new, line -> { });
        assertEquals(first.makespan(), second.makespan(), "seed 11");
        assertEquals(first.framesRedone(), second.framesRedone(), "seed 11");
        assertEquals(first.framesFailed(), second.framesFailed(), "seed 11");
        assertEquals(first.submitCalls(), second.submitCalls(), "seed 11");
        assertEquals(first.jobsEnded(), second.jobsEnded(), "seed 11");
        assertEquals(List.copyOf(new TreeSet<>(first.jobsEnded().keySet())), List.copyOf(first.jobsEnded().keySet()),
                "ended jobs are listed by state name, so that two runs' reports compare line by line");
        assertEquals(first.samples(), second.samples(), "seed 11");
    }

    @Test
    void aRareHourlyPollShowsAsIdleGpuHours() {
        SimulationConfig every = small(3);
        SimulationConfig rare = every.withRun(every.run().withPollInterval(Duration.ofHours(3)));
        SimulationReport often = Simulation.run(every, InMemoryWorkLedger::new, line -> { });
        SimulationReport seldom = Simulation.run(rare, InMemoryWorkLedger::new, line -> { });
        assertTrue(seldom.finished() && often.finished(), seldom.text());
        assertTrue(seldom.controllerCallsPerDay() < often.controllerCallsPerDay(), seldom.text() + often.text());
        assertTrue(seldom.makespan().compareTo(often.makespan()) > 0, seldom.text() + often.text());
    }

    @Test
    void aSlowUploadShowsAsGpuHoursWaitingForStaging() {
        SimulationConfig fast = small(5);
        SimulationConfig slow = new SimulationConfig(fast.cluster(), fast.workers(), new StagerModel(1e6, 0), fast.corpus(),
                fast.run(), fast.frameQuantum(), fast.seed(), fast.horizon(), fast.sampleInterval(), fast.start());
        SimulationReport quick = Simulation.run(fast, InMemoryWorkLedger::new, line -> { });
        SimulationReport report = Simulation.run(slow, InMemoryWorkLedger::new, line -> { });
        String both = report.text() + quick.text();
        assertTrue(report.finished(), both);
        assertTrue(report.gpuHoursIdleWaitingForStaging() > quick.gpuHoursIdleWaitingForStaging() + 1, both);
        assertTrue(report.makespan().compareTo(quick.makespan()) > 0, both);
    }

    @Test
    void theHorizonCutsARunOffAndSaysSo() {
        SimulationConfig base = small(1);
        SimulationConfig shortHorizon = new SimulationConfig(base.cluster(), base.workers(), base.stager(), base.corpus(),
                base.run(), base.frameQuantum(), base.seed(), Duration.ofHours(6), base.sampleInterval(), base.start());
        SimulationReport report = Simulation.run(shortHorizon, InMemoryWorkLedger::new, line -> { });
        assertFalse(report.finished());
        assertTrue(report.framesDone() < report.framesTotal());
        assertTrue(report.text().contains("NO: cut off at the horizon"), report.text());
    }

    @Test
    void theChartIsWellFormedSvgWithItsThreePanels() throws Exception {
        SimulationReport report = Simulation.run(hostile(2), InMemoryWorkLedger::new, line -> { });
        String svg = report.svg();
        Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
        assertEquals("svg", doc.getDocumentElement().getNodeName());
        assertTrue(doc.getElementsByTagName("polyline").getLength() >= 5, svg);
        assertTrue(svg.contains("frames done") && svg.contains("workspace") && svg.contains("queued"), svg);
    }
}

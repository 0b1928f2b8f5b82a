package dev.juggler.samples.console;

import dev.juggler.JugglerException;
import dev.juggler.UnavailableException;
import dev.juggler.ledger.WorkLedger;
import dev.juggler.samples.JugglerCli;
import dev.juggler.samples.doctor.Texts;
import java.io.PrintWriter;
import java.time.Clock;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * What the operator commands share: the ledger options, checking the options before the ledger is opened, and
 * the exit codes: {@code 0} ok, {@code 1} failed, {@code 2} usage, {@code 3} the ledger is unreachable (with a
 * one-line explanation). Not thread-safe: picocli runs a command once.
 */
abstract class OperatorCommand implements Callable<Integer> {

    @Mixin
    LedgerOptions ledgerOptions = new LedgerOptions();

    @Spec
    CommandSpec spec;

    /** The clock that resolves relative times ({@code --since 2h}) and judges report ages; tests replace it. */
    Clock clock = Clock.systemUTC();

    /** Checks the options (throwing {@link ParameterException}) before anything is opened. */
    abstract void check();

    /** Does the work on the open ledger and returns the exit code. */
    abstract int run(WorkLedger ledger, PrintWriter out);

    @Override
    public final Integer call() {
        try {
            check();
        } catch (BadViewParameter e) {
            throw usage("--" + e.getMessage());
        }
        PrintWriter out = spec.commandLine().getOut();
        try (WorkLedger ledger = ledgerOptions.open()) {
            return run(ledger, out);
        } catch (UnavailableException e) {
            return unreachable(e);
        } catch (UnsupportedOperationException e) {
            // e.g. the jobs view of a ledger that keeps no job records: a fact to state, not a crash to trace
            spec.commandLine().getErr().println("juggler " + spec.name() + ": " + dev.juggler.samples.config.Escape.visible(
                    String.valueOf(e.getMessage())));
            return JugglerCli.FAILED;
        } catch (JugglerException e) {
            if (e.isTransient()) {
                return unreachable(e);
            }
            out.flush();
            spec.commandLine().getErr().println("juggler " + spec.name() + ": " + Texts.firstLine(e));
            return JugglerCli.FAILED;
        } finally {
            out.flush();
        }
    }

    ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }

    private int unreachable(JugglerException e) {
        spec.commandLine().getOut().flush();
        spec.commandLine().getErr().println("juggler " + spec.name() + ": ledger unreachable (" + ledgerOptions.describe()
                + "): " + Texts.firstLine(e));
        return JugglerCli.UNAVAILABLE;
    }
}

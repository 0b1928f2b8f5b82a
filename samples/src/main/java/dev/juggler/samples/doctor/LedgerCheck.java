package dev.juggler.samples.doctor;

import dev.juggler.ledger.Progress;
import dev.juggler.ledger.WorkLedger;
import dev.juggler.samples.config.ConfigException;
import dev.juggler.samples.config.JugglerConfig;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** The ledger from this machine: opened with the config's builder, progress read, within a time bound. */
public final class LedgerCheck {

    /** How long opening the ledger and reading its progress may take. */
    public static final Duration TIMEOUT = Duration.ofSeconds(40);

    private LedgerCheck() {
    }

    public static Finding run(JugglerConfig config) {
        String url = Texts.url(config.ledger().url());
        String password;
        try {
            password = config.ledger().password().orElse(null);
        } catch (ConfigException e) {
            return Finding.fail("ledger", "cannot read the ledger password: " + Texts.firstLine(e),
                    "export the variable named by ledger.passwordEnv, or fix ledger.passwordFile");
        }
        ExecutorService exec = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "juggler-doctor-ledger");
            t.setDaemon(true);
            return t;
        });
        try {
            Future<Progress> read = exec.submit(() -> {
                try (WorkLedger ledger = config.ledgerBuilder().build()) {
                    return ledger.reader().progress();
                }
            });
            Progress p = read.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            return Finding.ok("ledger", url + " answers from here: " + p.frames().doneFrames() + " of "
                    + p.frames().totalFrames() + " frames done");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            return Finding.fail("ledger", "cannot open " + url + ": " + Texts.mask(Texts.firstLine(cause), password),
                    "check ledger.url (host, port, database), that the database server runs and accepts this machine "
                            + "(pg_hba.conf, firewall), and ledger.user / the password");
        } catch (TimeoutException e) {
            return Finding.fail("ledger", "no answer from " + url + " within " + TIMEOUT.toSeconds() + " s",
                    "check that the database host is reachable from here (firewall, VPN)");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Finding.fail("ledger", "interrupted", "run the doctor again");
        } finally {
            exec.shutdownNow();
        }
    }
}

package dev.juggler.sim;

import dev.juggler.ledger.JobRecords;
import dev.juggler.ledger.LedgerReader;
import dev.juggler.ledger.WorkLedger;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts the calls made to a ledger, its reader and its job records: each is one transaction by the ledger's
 * contract. {@code close()} is passed on but not counted. Thread-safe.
 */
final class LedgerCounter {

    private final AtomicLong calls = new AtomicLong();
    private final WorkLedger ledger;

    LedgerCounter(WorkLedger target) {
        this.ledger = wrap(WorkLedger.class, target);
    }

    /** The counting view of the ledger. */
    WorkLedger ledger() {
        return ledger;
    }

    /** Calls so far. */
    long calls() {
        return calls.get();
    }

    private <T> T wrap(Class<T> type, T target) {
        InvocationHandler handler = (proxy, method, args) -> {
            if (method.getDeclaringClass() == Object.class) {
                return switch (method.getName()) {
                    case "equals" -> proxy == args[0];
                    case "hashCode" -> System.identityHashCode(proxy);
                    default -> "counted " + target;
                };
            }
            Object result;
            try {
                result = method.invoke(target, args);
            } catch (InvocationTargetException e) {
                calls.incrementAndGet();
                throw e.getCause();
            }
            if (method.getName().equals("close")) {
                return result;
            }
            if (result instanceof LedgerReader reader && method.getReturnType() == LedgerReader.class) {
                return wrap(LedgerReader.class, reader);
            }
            if (result instanceof JobRecords records && method.getReturnType() == JobRecords.class) {
                return wrap(JobRecords.class, records);
            }
            calls.incrementAndGet();
            return result;
        };
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, handler));
    }
}

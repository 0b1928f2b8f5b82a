package dev.juggler.sim;

import dev.juggler.internal.SimulatedClock;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.Semaphore;
import java.util.function.BooleanSupplier;

/**
 * A discrete-event scheduler on a virtual clock, in which the real (blocking) code of the juggler, the workers
 * and the stager runs as if in real time.
 *
 * <p>Two kinds of things happen: <em>actions</em>, short pieces of code run on the thread that called
 * {@link #run}, and <em>processes</em>, code that blocks in simulated time ({@link #sleep}) and therefore runs
 * on a thread of its own. Exactly one of them runs at any moment: a process holds the turn from its wake-up
 * until it sleeps or ends, and the scheduler waits for that. So the simulation is deterministic (events at the
 * same instant run in the order they were scheduled), nothing needs locking, and time only moves when every
 * process sleeps. A process must not block on anything but {@link #sleep} (a lock another process holds while
 * it sleeps would stop the simulation).
 *
 * <p>A process can be woken early ({@link #wakeEarly}: its sleep returns {@code false}) and killed
 * ({@link #kill}: its sleep throws {@link Killed}, which unwinds the thread like a {@code kill -9} would end
 * the program: no completion code runs, only {@code finally} blocks).
 *
 * <p>Not thread-safe in the usual sense: it is used by the one thread that holds the turn. Code running on
 * other threads at the request of the turn holder (the juggler's bounded status call) may read the clock.
 */
final class SimScheduler implements Executor, AutoCloseable {

    /** Unwinds a killed process. Not an exception: code that catches exceptions must not stop it. */
    static final class Killed extends Error {
        private static final long serialVersionUID = 1L;

        Killed() {
            super("killed by the simulation", null, false, false);
        }
    }

    private final Instant origin;
    private final PriorityQueue<Event> events = new PriorityQueue<>();
    private final Semaphore schedulerTurn = new Semaphore(0);
    private final ThreadLocal<Process> current = new ThreadLocal<>();
    private final List<Process> live = new ArrayList<>();
    private volatile long now;
    private long sequence;
    private long processes;
    private long switches;
    private Throwable failure;

    SimScheduler(Instant origin) {
        this.origin = Objects.requireNonNull(origin, "origin");
    }

    /** One scheduled happening; cancelled ones are skipped. */
    static final class Event implements Comparable<Event> {
        final long at;
        final long order;
        final Runnable action;
        final Process wakes;
        boolean cancelled;

        Event(long at, long order, Runnable action, Process wakes) {
            this.at = at;
            this.order = order;
            this.action = action;
            this.wakes = wakes;
        }

        @Override
        public int compareTo(Event other) {
            int byTime = Long.compare(at, other.at);
            return byTime != 0 ? byTime : Long.compare(order, other.order);
        }
    }

    /** Code that runs in simulated time on its own thread. */
    final class Process {
        final String name;
        private final Thread thread;
        private final Runnable onEnd;
        private Event wake;
        private boolean started;
        private boolean ended;
        private boolean killed;
        private boolean early;
        private final Semaphore turn = new Semaphore(0);

        Process(String name, Runnable body, Runnable onEnd) {
            this.name = name;
            this.onEnd = onEnd;
            this.thread = new Thread(() -> runBody(body), "sim-" + name);
            this.thread.setDaemon(true);
        }

        boolean ended() {
            return ended;
        }

        private void runBody(Runnable body) {
            current.set(this);
            try {
                if (!killed) {
                    body.run();
                }
            } catch (Killed k) {
                // the simulated kill -9: nothing more runs
            } catch (Throwable t) {
                if (failure == null) {
                    failure = new IllegalStateException("simulated process " + name + " failed: " + t, t);
                }
            } finally {
                ended = true;
                live.remove(this);
                try {
                    if (onEnd != null) {
                        onEnd.run();
                    }
                } catch (Throwable t) {
                    if (failure == null) {
                        failure = t;
                    }
                } finally {
                    schedulerTurn.release();
                }
            }
        }
    }

    /** The simulated time. */
    Instant now() {
        return origin.plusNanos(now);
    }

    /** Nanoseconds since the origin. */
    long nanos() {
        return now;
    }

    Instant origin() {
        return origin;
    }

    /** Hand-overs between the scheduler and processes so far (a cost measure). */
    long switches() {
        return switches;
    }

    /** Processes started so far. */
    long processes() {
        return processes;
    }

    /** A UTC clock that reads the simulated time. */
    Clock clock() {
        return SimulatedClock.utc(this::now);
    }

    /** Runs {@code action} on the scheduler's thread after {@code delay} of simulated time. */
    Event after(Duration delay, Runnable action) {
        return at(now + Math.max(0, delay.toNanos()), Objects.requireNonNull(action, "action"), null);
    }

    /** Skips a scheduled event; {@code null} and events that already ran are ignored. */
    static void cancel(Event event) {
        if (event != null) {
            event.cancelled = true;
        }
    }

    private Event at(long nanos, Runnable action, Process wakes) {
        Event event = new Event(Math.max(now, nanos), sequence++, action, wakes);
        events.add(event);
        return event;
    }

    /** Starts {@code body} as a process now (after the running action or process gives up its turn). */
    Process spawn(String name, Runnable body, Runnable onEnd) {
        Process process = new Process(name, body, onEnd);
        processes++;
        live.add(process);
        process.wake = at(now, null, process);
        return process;
    }

    /** Runs the task as a process (the juggler's staging transfers). */
    @Override
    public void execute(Runnable task) {
        spawn("task-" + processes, task, null);
    }

    /** The process running on the calling thread. */
    Process currentProcess() {
        Process self = current.get();
        if (self == null) {
            throw new IllegalStateException("not in a simulated process (thread " + Thread.currentThread().getName() + ")");
        }
        return self;
    }

    /**
     * Sleeps the calling process for {@code duration} of simulated time.
     *
     * @return {@code true} if it slept the whole time, {@code false} if it was woken early
     * @throws Killed if it was killed meanwhile
     * @throws IllegalStateException if the caller is not a process of this scheduler
     */
    boolean sleep(Duration duration) {
        Process self = currentProcess();
        if (self.killed) {
            throw new Killed();
        }
        self.early = false;
        self.wake = at(now + Math.max(0, duration.toNanos()), null, self);
        schedulerTurn.release();
        self.turn.acquireUninterruptibly();
        if (self.killed) {
            throw new Killed();
        }
        return !self.early;
    }

    /** Wakes a sleeping process now; its sleep returns {@code false}. */
    void wakeEarly(Process process) {
        if (process.ended || process.wake == null || process.wake.cancelled || !process.started) {
            return;
        }
        process.wake.cancelled = true;
        process.early = true;
        process.wake = at(now, null, process);
    }

    /** Kills a process: it never runs again past its current sleep (or at all, if it has not started). */
    void kill(Process process) {
        if (process.ended || process.killed) {
            return;
        }
        process.killed = true;
        if (process.wake != null) {
            process.wake.cancelled = true;
        }
        process.wake = at(now, null, process);
    }

    /**
     * Runs events in time order until {@code done} says so after an event, nothing is scheduled, or the next
     * event lies beyond {@code horizon}.
     *
     * @return {@code true} if it stopped because {@code done} said so
     */
    boolean run(BooleanSupplier done, Instant horizon) {
        long end = Duration.between(origin, horizon).toNanos();
        while (true) {
            Event event = events.poll();
            if (event == null) {
                return false;
            }
            if (event.cancelled) {
                continue;
            }
            if (event.at > end) {
                events.add(event);
                return false;
            }
            now = event.at;
            if (event.action != null) {
                event.action.run();
            } else {
                resume(event.wakes);
            }
            if (failure != null) {
                Throwable f = failure;
                failure = null;
                if (f instanceof RuntimeException r) {
                    throw r;
                }
                if (f instanceof Error e) {
                    throw e;
                }
                throw new IllegalStateException(f);
            }
            if (done.getAsBoolean()) {
                return true;
            }
        }
    }

    private void resume(Process process) {
        if (process.ended) {
            return;
        }
        process.wake = null;
        switches++;
        if (!process.started) {
            process.started = true;
            process.thread.start();
        } else {
            process.turn.release();
        }
        schedulerTurn.acquireUninterruptibly();
    }

    /** Kills every process still alive and lets each unwind. */
    @Override
    public void close() {
        for (Process process : List.copyOf(live)) {
            process.killed = true;
            if (process.ended) {
                continue;
            }
            if (!process.started) {
                live.remove(process);
                continue;
            }
            process.turn.release();
            schedulerTurn.acquireUninterruptibly();
        }
        events.clear();
    }
}

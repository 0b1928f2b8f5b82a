package dev.juggler.sim;

import dev.juggler.InvalidConfigException;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

/**
 * How fast worker jobs work and how they break. Immutable and thread-safe.
 *
 * @param startup time from a job's start to its first claim (loading the model)
 * @param framesPerSecond frames a whole job (a node) analyses per second, by speed class (a video's
 *     {@link CorpusModel.Camera#speedClass()}); at least one class
 * @param timeVariation coefficient of variation of the time per frame of one range (log-normal, mean 1): nodes
 *     and videos differ
 * @param crashesPerJobDay worker crashes per job and day of running (the job ends FAILED, its lease stays until
 *     the juggler sees the job end)
 * @param damagedVideoShare share of videos with one undecodable frame somewhere; the range that reaches it fails
 *     permanently from there
 */
public record WorkerModel(Duration startup, Map<String, Double> framesPerSecond, double timeVariation, double crashesPerJobDay,
        double damagedVideoShare) {

    public WorkerModel {
        InvalidConfigException.requireNonNegative("workers.startup", startup);
        if (framesPerSecond == null || framesPerSecond.isEmpty()) {
            throw InvalidConfigException.of("workers.framesPerSecond", framesPerSecond, "needs at least one speed class, e.g. {normal: 2.3}");
        }
        framesPerSecond = java.util.Collections.unmodifiableMap(new TreeMap<>(framesPerSecond));
        framesPerSecond.forEach((name, rate) -> InvalidConfigException.requireInRange("workers.framesPerSecond." + name,
                rate == null ? Double.NaN : rate, 1e-6, 1e9));
        InvalidConfigException.requireInRange("workers.timeVariation", timeVariation, 0, 2);
        InvalidConfigException.requireInRange("workers.crashesPerJobDay", crashesPerJobDay, 0, 1000);
        InvalidConfigException.requireInRange("workers.damagedVideoShare", damagedVideoShare, 0, 1);
    }

    /** The rate of a speed class, which must exist. */
    double rate(String speedClass) {
        Double rate = framesPerSecond.get(speedClass);
        if (rate == null) {
            throw InvalidConfigException.of("corpus speedClass", speedClass, "is not one of workers.framesPerSecond "
                    + framesPerSecond.keySet());
        }
        return rate;
    }
}

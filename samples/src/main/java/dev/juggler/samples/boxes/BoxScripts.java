package dev.juggler.samples.boxes;

import dev.juggler.JugglerException;
import dev.juggler.cluster.ClusterBackend;
import dev.juggler.cluster.JobSpec;
import dev.juggler.slurm.ssh.ExecResult;
import dev.juggler.slurm.ssh.RemoteCommand;
import dev.juggler.slurm.ssh.ShellQuote;
import dev.juggler.slurm.ssh.SshClient;
import java.util.List;
import java.util.Map;

/**
 * The shell side of {@link SshBoxesBackend}: constant scripts that take their variable parts as positional
 * parameters ({@code "$1"}), and the one generated file, a job's {@code job.sh}, in which every value from the
 * {@link JobSpec} is quoted by impl-slurm's {@link ShellQuote}. Stateless and thread-safe.
 *
 * <p>A job directory {@code <workDirectory>/<tag>/<jobId>/} holds: {@code name}, {@code slot}, {@code job.sh}
 * (environment, secrets, prologue, {@code exec} of the command), {@code secrets.env} (mode 600, only with
 * secrets), {@code run.sh} (the runner), and the files the runner and the backend write: {@code pid} (the
 * runner's pid, which is also the job's process group, since it runs under {@code setsid}), {@code started}
 * (epoch seconds), {@code watchdog} (the watchdog's pid and group), {@code exit} (the command's exit status),
 * {@code cancelled} and {@code timeout} (markers).
 */
final class BoxScripts {

    private BoxScripts() {
    }

    /**
     * The runner, started as {@code nohup setsid sh run.sh DIR LIMIT_SECONDS OUT_FILE LOGIN}: it becomes the
     * leader of a new session and process group, records its pid and start, starts a watchdog in a session of
     * its own (so that a cancel's kill of the job's group leaves it alone, and its kill at the deadline cannot
     * hit itself), runs {@code job.sh}, writes the exit status atomically, and kills what is left of its group.
     */
    static final String RUNNER = """
            d="$1"; limit="$2"; out="$3"
            echo $$ > "$d/pid.part" && mv -f "$d/pid.part" "$d/pid" || exit 1
            start=$(date +%s)
            echo "$start" > "$d/started"
            JUGGLER_JOB_DEADLINE_MS=$(( (start + limit) * 1000 ))
            export JUGGLER_JOB_DEADLINE_MS
            setsid sh -c 'sleep "$2"; [ -e "$1/exit" ] || [ -e "$1/cancelled" ] && exit 0
              : > "$1/timeout"; kill -TERM "-$3" 2>/dev/null; sleep 10; kill -KILL "-$3" 2>/dev/null' \\
              sh "$d" "$limit" "$$" < /dev/null > /dev/null 2>&1 &
            watchdog=$!
            echo "$watchdog" > "$d/watchdog"
            if [ "$4" = login ]; then bash -l "$d/job.sh"; else sh "$d/job.sh"; fi < /dev/null > "$out" 2>&1
            code=$?
            echo "$code" > "$d/exit.part" && mv -f "$d/exit.part" "$d/exit"
            kill -TERM "-$watchdog" 2>/dev/null
            kill -KILL "-$$" 2>/dev/null
            """;

    /** The exit status of {@link #LAUNCH} when the slot is taken by a live job (of any tag). */
    static final int SLOT_BUSY = 75;

    /**
     * Creates a job directory and starts its runner: {@code sh -c LAUNCH sh DIR NAME SLOT RUNNER LIMIT OUT LOGIN
     * OUTDIR WORKDIR}, with {@code job.sh} on standard input. Under a lock on the box's work directory (with
     * {@code flock}, where installed) it first checks that no live job holds the slot (exit {@value #SLOT_BUSY}
     * otherwise). Returns once the runner has written its pid (so that a status read right after sees the job,
     * and the next launch sees the slot taken), or fails after about 10 seconds.
     */
    static final String LAUNCH = """
            umask 077
            d="$1"; w="$9"
            fail() { rm -rf -- "$d"; echo "$1" >&2; exit "${2:-1}"; }
            mkdir -p -- "$w" || fail "cannot create $w"
            if command -v flock > /dev/null 2>&1; then
              exec 9> "$w/.slots.lock" && flock 9 || fail "cannot lock $w/.slots.lock"
            fi
            for s in "$w"/*/bx-*/slot; do
              [ -f "$s" ] && [ "$(cat "$s")" = "$3" ] || continue
              p=$(cat "${s%/slot}/pid" 2>/dev/null)
              if [ ! -e "${s%/slot}/exit" ] && [ -n "$p" ] && kill -0 "-$p" 2>/dev/null; then
                fail "slot $3 is busy" 75
              fi
            done
            mkdir -p -- "$d" || fail "cannot create $d"
            printf '%s\\n' "$2" > "$d/name" && printf '%s\\n' "$3" > "$d/slot" && printf '%s' "$4" > "$d/run.sh" \\
              && cat > "$d/job.sh" || fail "cannot write the job files into $d"
            if [ -n "$8" ]; then mkdir -p -- "$8" || fail "cannot create the output directory $8"; fi
            nohup setsid sh "$d/run.sh" "$d" "$5" "$6" "$7" < /dev/null > /dev/null 2>&1 9>&- &
            i=0
            while [ ! -s "$d/pid" ]; do
              i=$((i + 1)); [ "$i" -gt 100 ] && fail "the runner did not start"
              sleep 0.1
            done
            """;


    /** Writes standard input to {@code "$1"/secrets.env}, readable only by the user. */
    static final String WRITE_SECRETS = """
            umask 077
            mkdir -p -- "$1" && cat > "$1/secrets.env.part" && mv -f -- "$1/secrets.env.part" "$1/secrets.env"
            """;

    /**
     * One line per job directory under {@code "$1"} (the box's work directory, every tag):
     * {@code tag|id|slot|alive|exit|flags|started|btime|name}. Ended jobs whose directory has not changed for
     * {@code "$2"} minutes are deleted instead (their state was reported long ago).
     */
    static final String STATUS = """
            [ -d "$1" ] || exit 0
            btime=$(awk '/^btime/ {print $2}' /proc/stat 2>/dev/null)
            for d in "$1"/*/bx-*; do
              [ -d "$d" ] || continue
              id=${d##*/}; t=${d%/*}; t=${t##*/}
              pid=$(cat "$d/pid" 2>/dev/null)
              alive=0
              if [ -n "$pid" ] && kill -0 "-$pid" 2>/dev/null; then alive=1; fi
              code=$(cat "$d/exit" 2>/dev/null)
              flags=
              [ -e "$d/cancelled" ] && flags="${flags}c"
              [ -e "$d/timeout" ] && flags="${flags}t"
              if [ "$alive" = 0 ] && [ -n "$pid" ] && [ -n "$(find "$d" -maxdepth 0 -mmin +"$2" 2>/dev/null)" ]; then
                rm -rf -- "$d"; continue
              fi
              printf '%s|%s|%s|%s|%s|%s|%s|%s|%s\\n' "$t" "$id" "$(cat "$d/slot" 2>/dev/null)" "$alive" "$code" \\
                "$flags" "$(cat "$d/started" 2>/dev/null)" "$btime" "$(cat "$d/name" 2>/dev/null)"
            done
            """;

    /**
     * Cancels the jobs {@code "$2"...} under the tag directory {@code "$1"}: marks each running one cancelled,
     * sends TERM to its process group (and ends its watchdog, which would otherwise sleep out the time limit) and
     * KILL ten seconds later. Ended and unknown jobs are left alone.
     */
    static final String CANCEL = """
            base="$1"; shift
            for id in "$@"; do
              d="$base/$id"
              [ -d "$d" ] && [ ! -e "$d/exit" ] || continue
              pid=$(cat "$d/pid" 2>/dev/null)
              [ -n "$pid" ] && kill -0 "-$pid" 2>/dev/null || continue
              : > "$d/cancelled"
              kill -TERM "-$pid" 2>/dev/null
              w=$(cat "$d/watchdog" 2>/dev/null)
              [ -n "$w" ] && kill -TERM "-$w" 2>/dev/null
              nohup setsid sh -c 'sleep 10; kill -KILL "-$1" 2>/dev/null' sh "$pid" < /dev/null > /dev/null 2>&1 &
            done
            exit 0
            """;

    /**
     * The job script: the Juggler variables (the deadline comes from the runner, which knows the start), the
     * spec's environment, the slot's GPU, the secrets file, the working directory, the prologue, then
     * {@code exec} of the command.
     *
     * @param secretsFile the secrets file's path, or {@code null} when the spec has none
     */
    static String jobScript(JobSpec spec, String jobId, int gpu, String secretsFile) {
        StringBuilder s = new StringBuilder();
        s.append("# generated by Juggler (dev.juggler.samples.boxes); every value below is single-quoted\n");
        s.append("export ").append(ClusterBackend.JOB_ID_ENV).append('=').append(ShellQuote.quote(jobId)).append('\n');
        for (Map.Entry<String, String> e : spec.environment().entrySet()) {
            // Keys are shell names (JobSpec checks them); values are quoted.
            s.append("export ").append(e.getKey()).append('=').append(ShellQuote.quote(e.getValue())).append('\n');
        }
        // The backend's GPU assignment comes last: a spec cannot move a job onto another job's GPU.
        s.append("export CUDA_VISIBLE_DEVICES=").append(gpu).append('\n');
        if (secretsFile != null) {
            s.append("set -a\n. ").append(ShellQuote.quote(secretsFile))
                    .append(" || { echo 'juggler: cannot read the secrets file' >&2; exit 78; }\nset +a\n");
        }
        spec.workingDirectory().ifPresent(d -> s.append("cd ").append(ShellQuote.quote(d)).append(" || exit 1\n"));
        // The operator's own lines (module load, conda activate): run as written; a failing one ends the job.
        spec.prologue().forEach(line -> s.append(line).append(" || exit $?\n"));
        s.append("exec ").append(ShellQuote.join(spec.fullCommand())).append('\n');
        return s.toString();
    }

    /** The secrets file: one {@code KEY='value'} line each. Never logged. */
    static String secretsFile(JobSpec spec) {
        StringBuilder s = new StringBuilder();
        spec.secretEnvironment().forEach((k, v) -> s.append(k).append('=').append(ShellQuote.quote(v)).append('\n'));
        return s.toString();
    }

    /**
     * Writes the job's files into {@code dir} on the box and starts its runner on {@code slot}; returns once the
     * runner runs. Two round trips with secrets, one without.
     *
     * @return {@code false} if a live job holds the slot (another host started it since our last read)
     * @throws dev.juggler.UnavailableException if the box does not answer
     * @throws JugglerException if the box answers but cannot start the job (permanent for this job)
     */
    static boolean start(SshClient ssh, Box box, String dir, String jobId, int slot, JobSpec spec) {
        String secrets = null;
        if (!spec.secretEnvironment().isEmpty()) {
            secrets = dir + "/secrets.env";
            // The values travel on the channel's standard input: never on a command line.
            ExecResult r = ssh.exec(RemoteCommand.script(WRITE_SECRETS, List.of(dir)).withStdin(secretsFile(spec)));
            if (!r.ok()) {
                throw JugglerException.permanentFailure("cannot write the secrets of job " + jobId + " on box " + box.name() + ": "
                        + firstLine(r.err()), null);
            }
        }
        String outDir = spec.outputDirectory().orElse("");
        String out = outDir.isEmpty() ? dir + "/output.log" : outDir.replaceAll("/+$", "") + "/" + spec.name() + "-" + jobId + ".out";
        long limitSeconds = Math.max(60, spec.timeLimit().toSeconds());
        List<String> args = List.of(dir, spec.name(), Integer.toString(slot), RUNNER, Long.toString(limitSeconds), out,
                spec.prologue().isEmpty() ? "plain" : "login", outDir, box.workDirectory());
        ExecResult r = ssh.exec(RemoteCommand.script(LAUNCH, args).withStdin(jobScript(spec, jobId, slot, secrets)));
        if (r.exitCode() == SLOT_BUSY) {
            return false;
        }
        if (!r.ok()) {
            throw JugglerException.permanentFailure("cannot start job " + jobId + " on box " + box.name() + " (exit " + r.exitCode()
                    + "): " + firstLine(r.err()), null);
        }
        return true;
    }

    /** The first line of a command's error output, for messages. */
    static String firstLine(String text) {
        String t = text.strip();
        int nl = t.indexOf('\n');
        return nl < 0 ? t : t.substring(0, nl) + " …";
    }
}

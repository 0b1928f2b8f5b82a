#!/usr/bin/env bash
# A real single-node SLURM (munge, MariaDB + slurmdbd for sacct, slurmctld, slurmd with two fake GPUs)
# and an OpenSSH server on 127.0.0.1 with its own host key and a generated client key, for the
# impl-slurm integration tests and bench/slurm.sh. Runs as root on Debian/Ubuntu without systemd:
# every daemon is started by hand. Rerunnable: running daemons are left alone, files are rewritten
# only when missing. Appends JUGGLER_SLURM_* settings to $JUGGLER_TEST_ENV.
#
# Also usable by tests to simulate a controller outage:  40-slurm-sshd.sh ctld-stop | ctld-start
set -euo pipefail

SSH_PORT="${JUGGLER_SLURM_SSH_PORT:-2222}"
BASE=/etc/juggler-slurm-test          # sshd config, host keys, client key, known_hosts
WORK=/var/tmp/juggler-slurm           # job output files and the staging workspace
CLUSTER=juggler
PARTITION=debug
# Test-only database password for slurmdbd; MariaDB listens on its local socket only.
DB_PASSWORD="${JUGGLER_SLURM_DB_PASSWORD:-juggler-slurmdbd-pw}"

log() { echo "[40-slurm-sshd] $*"; }

# A pid file whose process is alive and not a zombie (stopped daemons linger as zombies for a while).
alive() {
  local pidfile="$1" pid state
  [ -s "$pidfile" ] || return 1
  pid="$(cat "$pidfile" 2>/dev/null)" || return 1
  [ -n "$pid" ] && [ -r "/proc/$pid/stat" ] || return 1
  state="$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" || return 1
  [ "$state" != Z ]
}

wait_for() { # wait_for <tries of 0.2 s> <command...>
  local tries="$1"; shift
  for _ in $(seq 1 "$tries"); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.2
  done
  return 1
}

stop_pidfile() {
  local pidfile="$1"
  if alive "$pidfile"; then
    kill "$(cat "$pidfile")" || true
    for _ in $(seq 1 50); do alive "$pidfile" || break; sleep 0.2; done
  fi
}

start_slurmctld() {
  if alive /run/slurmctld.pid; then return 0; fi
  # Daemonizes first and exits 0 even on a fatal config error: readiness is checked with scontrol ping.
  /usr/sbin/slurmctld
  if ! wait_for 100 sh -c 'scontrol ping | grep -q "is UP"'; then
    log "slurmctld did not come up; last log lines:"; tail -n 20 /var/log/slurm/slurmctld.log || true
    exit 1
  fi
}

case "${1:-setup}" in
  ctld-stop) stop_pidfile /run/slurmctld.pid; exit 0 ;;
  ctld-start) start_slurmctld; exit 0 ;;
  setup) ;;
  *) echo "usage: $0 [setup|ctld-stop|ctld-start]" >&2; exit 2 ;;
esac

if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "skip: SLURM/sshd setup needs root and apt-get (the SLURM integration tests will skip, or fail with CI=true)"
  exit 0
fi

need=()
for pkg in slurmctld slurmd slurm-client munge openssh-server slurmdbd mariadb-server rsync; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || need+=("$pkg")
done
if [ "${#need[@]}" -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  log "installed ${need[*]}"
fi

HOST="$(hostname -s)"
install -d -m 755 "$BASE" "$WORK" "$WORK/out" "$WORK/workspace" /var/log/slurm /var/spool/slurmctld /var/spool/slurmd /run/sshd
install -d -o munge -g munge -m 755 /run/munge /var/log/munge /var/lib/munge
install -d -o mysql -g mysql -m 755 /run/mysqld

# ---- munge -------------------------------------------------------------------------------------
if [ ! -s /etc/munge/munge.key ]; then
  dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none
  chown munge:munge /etc/munge/munge.key
  chmod 400 /etc/munge/munge.key
fi
if ! alive /run/munge/munged.pid; then
  runuser -u munge -- /usr/sbin/munged
fi
wait_for 50 sh -c 'munge -n | unmunge' || { log "munged is not working"; exit 1; }

# ---- fake GPUs: character devices cloned from /dev/null (plain files are rejected) ---------------
for i in 0 1; do
  [ -c "/dev/juggler-fakegpu$i" ] || mknod "/dev/juggler-fakegpu$i" c 1 3
done

# ---- slurm.conf ----------------------------------------------------------------------------------
if [ ! -f /etc/slurm/slurm.conf ] || ! grep -q 'juggler test' /etc/slurm/slurm.conf; then
  mem="$(slurmd -C | sed -n 's/.*RealMemory=\([0-9]*\).*/\1/p' | head -n1)"
  cat >/etc/slurm/slurm.conf <<EOF
# juggler test setup (scripts/setup.d/40-slurm-sshd.sh): one node, no cgroups, two fake GPUs
ClusterName=$CLUSTER
SlurmctldHost=$HOST(127.0.0.1)
AuthType=auth/munge
SlurmUser=root
SlurmdUser=root
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
SlurmctldPidFile=/run/slurmctld.pid
SlurmdPidFile=/run/slurmd.pid
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SlurmdParameters=config_overrides
ReturnToService=2
GresTypes=gpu
AccountingStorageType=accounting_storage/slurmdbd
AccountingStorageHost=localhost
AccountingStorageTRES=gres/gpu
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
MinJobAge=300
MaxArraySize=1001
MaxJobCount=20000
KillWait=5
NodeName=$HOST NodeAddr=127.0.0.1 CPUs=8 RealMemory=${mem:-1000} Gres=gpu:2 State=UNKNOWN
PartitionName=$PARTITION Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF
  cat >/etc/slurm/gres.conf <<EOF
# juggler test setup: fake GPUs (character devices cloned from /dev/null)
AutoDetect=off
NodeName=$HOST Name=gpu File=/dev/juggler-fakegpu[0-1]
EOF
fi

# ---- MariaDB + slurmdbd (so that sacct works) ----------------------------------------------------
if [ ! -d /var/lib/mysql/mysql ]; then
  mariadb-install-db --user=mysql --datadir=/var/lib/mysql >/dev/null
fi
if ! mariadb-admin ping >/dev/null 2>&1; then
  setsid /usr/sbin/mariadbd --user=mysql --skip-networking --pid-file=/run/mysqld/mysqld.pid \
    </dev/null >>/var/log/juggler-mariadb.log 2>&1 &
  wait_for 150 mariadb-admin ping || { log "MariaDB did not come up"; tail -n 20 /var/log/juggler-mariadb.log; exit 1; }
fi
mariadb -u root <<SQL
CREATE DATABASE IF NOT EXISTS slurm_acct_db;
CREATE USER IF NOT EXISTS 'slurm'@'localhost' IDENTIFIED BY '$DB_PASSWORD';
ALTER USER 'slurm'@'localhost' IDENTIFIED BY '$DB_PASSWORD';
GRANT ALL ON slurm_acct_db.* TO 'slurm'@'localhost';
SQL

if [ ! -f /etc/slurm/slurmdbd.conf ] || ! grep -q 'juggler test' /etc/slurm/slurmdbd.conf; then
  install -d /etc/slurm
  cat >/etc/slurm/slurmdbd.conf <<EOF
# juggler test setup (scripts/setup.d/40-slurm-sshd.sh)
AuthType=auth/munge
DbdHost=localhost
DbdPort=6819
SlurmUser=root
LogFile=/var/log/slurm/slurmdbd.log
PidFile=/run/slurmdbd.pid
StorageType=accounting_storage/mysql
StorageHost=localhost
StorageUser=slurm
StoragePass=$DB_PASSWORD
StorageLoc=slurm_acct_db
EOF
  chmod 600 /etc/slurm/slurmdbd.conf
fi
if ! alive /run/slurmdbd.pid; then
  /usr/sbin/slurmdbd
  wait_for 100 sh -c 'sacctmgr -n list cluster' || { log "slurmdbd did not come up"; tail -n 20 /var/log/slurm/slurmdbd.log; exit 1; }
fi
if ! sacctmgr -n -P list cluster format=cluster | grep -qx "$CLUSTER"; then
  sacctmgr -i add cluster "$CLUSTER" >/dev/null
fi

start_slurmctld
if ! alive /run/slurmd.pid; then
  /usr/sbin/slurmd
fi
if ! wait_for 100 sh -c "sinfo -h -N -o %T | grep -qvE 'unknown|down|not_responding'"; then
  log "slurmd did not register; last log lines:"; tail -n 20 /var/log/slurm/slurmd.log || true
fi
# A drained node stays drained after its cause is fixed.
state="$(sinfo -h -N -o %T | head -n1)"
case "$state" in
  *drain*|*down*) scontrol update nodename="$HOST" state=resume || true
    wait_for 50 sh -c "sinfo -h -N -o %T | grep -qE 'idle|mix|alloc'" || true ;;
esac
state="$(sinfo -h -N -o %T | head -n1)"
case "$state" in
  idle*|mix*|alloc*) ;;
  *) log "node is $state; slurmd log:"; tail -n 20 /var/log/slurm/slurmd.log || true; exit 1 ;;
esac

# ---- sshd on 127.0.0.1 with its own config and keys ---------------------------------------------
[ -f "$BASE/ssh_host_ed25519_key" ] || ssh-keygen -q -t ed25519 -N '' -C juggler-test-host -f "$BASE/ssh_host_ed25519_key"
# A second host key that the server never offers: a known_hosts file with it must be refused.
[ -f "$BASE/other_host_ed25519_key" ] || ssh-keygen -q -t ed25519 -N '' -C juggler-other-host -f "$BASE/other_host_ed25519_key"
[ -f "$BASE/id_ed25519" ] || ssh-keygen -q -t ed25519 -N '' -C juggler-test-client -f "$BASE/id_ed25519"
cp "$BASE/id_ed25519.pub" "$BASE/authorized_keys"
chmod 600 "$BASE/authorized_keys" "$BASE/id_ed25519"
echo "[127.0.0.1]:$SSH_PORT $(cut -d' ' -f1,2 "$BASE/ssh_host_ed25519_key.pub")" >"$BASE/known_hosts"
echo "[127.0.0.1]:$SSH_PORT $(cut -d' ' -f1,2 "$BASE/other_host_ed25519_key.pub")" >"$BASE/known_hosts.wrong"
cat >"$BASE/sshd_config" <<EOF
# juggler test sshd (scripts/setup.d/40-slurm-sshd.sh)
Port $SSH_PORT
ListenAddress 127.0.0.1
HostKey $BASE/ssh_host_ed25519_key
PidFile /run/juggler-test-sshd.pid
AuthorizedKeysFile $BASE/authorized_keys
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
MaxSessions 100
MaxStartups 100:30:200
ClientAliveInterval 30
Subsystem sftp internal-sftp
EOF
/usr/sbin/sshd -t -f "$BASE/sshd_config"
if ! alive /run/juggler-test-sshd.pid; then
  /usr/sbin/sshd -f "$BASE/sshd_config"
fi
ssh_ok() {
  ssh -o BatchMode=yes -o StrictHostKeyChecking=yes -o UserKnownHostsFile="$BASE/known_hosts" \
    -i "$BASE/id_ed25519" -p "$SSH_PORT" root@127.0.0.1 'sinfo -h -o %P' 
}
wait_for 50 ssh_ok || { log "cannot reach SLURM through the test sshd"; exit 1; }

self="$(cd "$(dirname "$0")" && pwd)/$(basename "$0")"
if [ -n "${JUGGLER_TEST_ENV:-}" ]; then
  {
    # %q: the paths (a clone's own path among them) may contain spaces or quotes.
    printf 'export JUGGLER_SLURM_SSH_HOST=%q\n' 127.0.0.1
    printf 'export JUGGLER_SLURM_SSH_PORT=%q\n' "$SSH_PORT"
    printf 'export JUGGLER_SLURM_SSH_USER=%q\n' root
    printf 'export JUGGLER_SLURM_SSH_KEY=%q\n' "$BASE/id_ed25519"
    printf 'export JUGGLER_SLURM_SSH_KNOWN_HOSTS=%q\n' "$BASE/known_hosts"
    printf 'export JUGGLER_SLURM_SSH_WRONG_KNOWN_HOSTS=%q\n' "$BASE/known_hosts.wrong"
    printf 'export JUGGLER_SLURM_PARTITION=%q\n' "$PARTITION"
    printf 'export JUGGLER_SLURM_WORKDIR=%q\n' "$WORK"
    printf 'export JUGGLER_SLURM_CONTROL=%q\n' "$self"
  } >>"$JUGGLER_TEST_ENV"
fi
log "SLURM ($(sinfo -h -N -o '%N %T %G' | head -n1)) reachable over ssh root@127.0.0.1:$SSH_PORT"

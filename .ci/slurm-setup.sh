#!/usr/bin/env bash
# Starts a one-node Slurm cluster on this machine for the Slurm tests (docs/slurm.md).
#
# Installs Debian's slurm-wlm and munge if they are missing, writes /etc/slurm/slurm.conf from
# deploy/slurm/slurm.conf, starts munged, slurmctld and slurmd, and checks that a job runs.
# Idempotent: when the cluster is already up with the same configuration it only checks it.
# Needs root. Exits non-zero, with the daemons' logs, if the cluster does not come up.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { echo "slurm-setup: $*" >&2; }

die() {
    log "ERROR: $*"
    for f in /var/log/slurm/slurmctld.log /var/log/slurm/slurmd.log /var/log/munge/munged.log; do
        if [ -f "$f" ]; then
            echo "---- last lines of $f" >&2
            tail -n 25 "$f" >&2
        fi
    done
    exit 1
}

if [ "$(id -u)" != 0 ]; then
    die "must run as root (it installs packages and starts the Slurm daemons)"
fi

host=$(hostname -s)
mem_total_kib=$(awk '/^MemTotal:/ {print $2}' /proc/meminfo)
# Half the machine's memory: slurmd drains a node that has less than it is configured with.
memory=$((mem_total_kib / 2048))
rendered=$(sed -e "s/@HOST@/$host/g" -e "s/@MEMORY@/$memory/g" \
    deploy/slurm/slurm.conf)

running() { # pidfile
    [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null
}

node_state() {
    sinfo -h -n "$host" -o %T 2>/dev/null | head -n 1
}

# A job that runs and completes proves the whole chain (munge, slurmctld, slurmd, slurmstepd).
smoke_test() {
    timeout 60 sbatch --quiet --wait --time=1 --output=/dev/null --job-name=pimlico-setup-check \
        --wrap=true
}

if running /run/munge/munged.pid && running /run/slurmctld.pid && running /run/slurmd.pid \
    && [ -f /etc/slurm/slurm.conf ] && [ "$(cat /etc/slurm/slurm.conf)" = "$rendered" ] \
    && [[ "$(node_state)" =~ ^(idle|mixed|allocated)$ ]]; then
    smoke_test || die "the running cluster did not run a test job"
    log "Slurm is up (node $host: $(node_state))"
    exit 0
fi

packages=(slurm-wlm slurmctld slurmd slurm-client munge)
installed=$(dpkg-query -W -f='${Status}\n' "${packages[@]}" 2>/dev/null \
    | grep -c "install ok installed" || true)
if [ "$installed" != "${#packages[@]}" ]; then
    log "installing ${packages[*]}"
    export DEBIAN_FRONTEND=noninteractive
    if ! apt-get install -y -q --no-install-recommends "${packages[@]}" >/tmp/slurm-setup-apt.log 2>&1; then
        apt-get update -q >>/tmp/slurm-setup-apt.log 2>&1 || true
        apt-get install -y -q --no-install-recommends "${packages[@]}" >>/tmp/slurm-setup-apt.log 2>&1 \
            || { tail -n 20 /tmp/slurm-setup-apt.log >&2; die "could not install ${packages[*]}"; }
    fi
fi

# munge: a key, its directories, and the daemon running as the munge user.
install -d -o munge -g munge -m 0700 /etc/munge /var/lib/munge /var/log/munge
install -d -o munge -g munge -m 0755 /run/munge
if [ ! -s /etc/munge/munge.key ]; then
    log "creating the munge key"
    mungekey --create --keyfile=/etc/munge/munge.key
fi
chown munge:munge /etc/munge/munge.key
chmod 0400 /etc/munge/munge.key
if ! running /run/munge/munged.pid; then
    log "starting munged"
    runuser -u munge -- /usr/sbin/munged || die "munged did not start"
fi
munge -n | unmunge >/dev/null || die "munge does not work (munge -n | unmunge failed)"

install -d -m 0755 /etc/slurm /var/lib/slurm /var/lib/slurm/slurmctld /var/lib/slurm/slurmd \
    /var/log/slurm
changed=no
if [ ! -f /etc/slurm/slurm.conf ] || [ "$(cat /etc/slurm/slurm.conf)" != "$rendered" ]; then
    printf '%s\n' "$rendered" >/etc/slurm/slurm.conf
    changed=yes
fi

if running /run/slurmctld.pid && [ "$changed" = yes ]; then
    log "configuration changed: restarting slurmctld and slurmd"
    kill "$(cat /run/slurmd.pid)" 2>/dev/null || true
    kill "$(cat /run/slurmctld.pid)"
    for _ in $(seq 50); do
        running /run/slurmctld.pid || running /run/slurmd.pid || break
        sleep 0.2
    done
fi
if ! running /run/slurmctld.pid; then
    log "starting slurmctld"
    /usr/sbin/slurmctld || die "slurmctld did not start"
fi
if ! running /run/slurmd.pid; then
    log "starting slurmd"
    /usr/sbin/slurmd || die "slurmd did not start"
fi

# Wait for the node to register (usually a second or two).
state=
for _ in $(seq 60); do
    state=$(node_state)
    case "$state" in
        idle | mixed | allocated) break ;;
        drain* | drained | down*)
            scontrol update nodename="$host" state=resume >/dev/null 2>&1 || true ;;
    esac
    sleep 0.5
done
[[ "$state" =~ ^(idle|mixed|allocated)$ ]] \
    || die "node $host did not come up (state '${state:-unknown}'; see sinfo -R)"
smoke_test || die "the cluster did not run a test job"
log "Slurm is up (node $host: $(node_state))"

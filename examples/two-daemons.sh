#!/usr/bin/env bash
# Quickstart: the bundled example pipeline (examples/wordcount) across two pimlicod daemons
# on this machine.
#
#     examples/two-daemons.sh [WORKDIR]
#
# 1. builds `pimlico` and `pimlicod` (cargo build, debug profile);
# 2. starts daemon A and daemon B on 127.0.0.1, each on a free port (--listen 127.0.0.1:0
#    --port-file), with its own store, token and state directory;
# 3. runs module 1 on A;
# 4. transfers module 1's data from A to B (B pulls it straight from A with a token that A
#    mints for just that module);
# 5. runs module 2, and any after it, on B (which never ran module 1);
# 6. prints the status as each daemon sees it, and stops both daemons.
#
# It exits non-zero as soon as a step fails and never leaves a daemon running.
#
# WORKDIR (created if missing; must be empty) keeps the stores, tokens, logs and client
# settings for you to look at. Without it everything goes into a temporary directory that is
# removed at the end. PIMLICO_BIN_DIR=DIR uses the `pimlico` and `pimlicod` in DIR instead of
# building them. Needs bash, Python 3 (the example's word counter) and the Rust toolchain.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
conf=$root/examples/wordcount/wordcount.conf
pids=()
keep=0

step() { printf '\n==> %s\n' "$*"; }
fail() { printf 'two-daemons.sh: %s\n' "$*" >&2; exit 1; }

cleanup() {
    local status=$?
    for pid in "${pids[@]}"; do
        kill -TERM "$pid" 2>/dev/null || true
    done
    for pid in "${pids[@]}"; do
        wait "$pid" 2>/dev/null || true
    done
    if [ "$status" -ne 0 ] && [ -n "${work:-}" ]; then
        for log in "$work"/a/pimlicod.log "$work"/b/pimlicod.log; do
            [ -s "$log" ] && { printf '\n--- %s (last lines)\n' "$log" >&2; tail -n 20 "$log" >&2; }
        done
        printf '\ntwo-daemons.sh: FAILED (exit code %s)\n' "$status" >&2
    fi
    if [ "$keep" -eq 0 ] && [ -n "${work:-}" ]; then
        rm -rf "$work"
    fi
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if [ $# -gt 1 ]; then
    fail "usage: examples/two-daemons.sh [WORKDIR]"
elif [ $# -eq 1 ]; then
    mkdir -p "$1"
    [ -z "$(ls -A "$1")" ] || fail "$1 is not empty"
    work=$(cd "$1" && pwd)
    keep=1
else
    work=$(mktemp -d "${TMPDIR:-/tmp}/pimlico-quickstart.XXXXXX")
fi

command -v python3 >/dev/null ||
    fail "python3 not found: the example's word counter (module 4) is a Python program"
if [ -n "${PIMLICO_BIN_DIR:-}" ]; then
    bin=$(cd "$PIMLICO_BIN_DIR" && pwd)
else
    command -v cargo >/dev/null || fail "cargo not found: install Rust from https://rustup.rs"
    step "Building pimlico and pimlicod (the first build takes a few minutes)"
    cargo build --manifest-path "$root/Cargo.toml" -p pimlico-client -p pimlicod
    target=$(cargo metadata --manifest-path "$root/Cargo.toml" --format-version 1 --no-deps |
        python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')
    bin=$target/debug
fi
for program in pimlico pimlicod; do
    [ -x "$bin/$program" ] || fail "$bin/$program does not exist"
done

# Starts daemon $1 serving the example pipeline on a free port of 127.0.0.1 and waits until
# it has written the address it listens on.
start_daemon() {
    local name=$1 dir=$work/$1
    mkdir -p "$dir"
    printf 'store=%s\n' "$dir/store" >"$dir/local.conf"
    (umask 077 && head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$dir/token")
    "$bin/pimlicod" --listen 127.0.0.1:0 --port-file "$dir/address" \
        --pipeline "$conf" --local-config "$dir/local.conf" \
        --token-file "$dir/token" --state-dir "$dir/state" 2>"$dir/pimlicod.log" &
    local pid=$!
    pids+=("$pid")
    echo "$pid" >"$dir/pid"
    # The daemon writes the file (atomically) once it is listening.
    for _ in $(seq 600); do
        [ -s "$dir/address" ] && break
        kill -0 "$pid" 2>/dev/null || fail "daemon $name stopped at start-up (see its log below)"
        sleep 0.05
    done
    [ -s "$dir/address" ] || fail "daemon $name did not start within 30 seconds"
    echo "daemon $name: http://$(cat "$dir/address") (pid $pid, store $dir/store)"
}

step "Starting daemon A and daemon B"
start_daemon a
start_daemon b

# The client names the daemons in its servers.toml (here in WORKDIR, not in ~/.config).
# Its local config must name a store too, although commands sent to daemons never use it.
export XDG_CONFIG_HOME=$work/client/config
mkdir -p "$XDG_CONFIG_HOME/pimlico"
for name in a b; do
    printf '[servers.%s]\nurl = "http://%s"\ntoken_file = "%s"\n\n' \
        "$name" "$(cat "$work/$name/address")" "$work/$name/token"
done >"$XDG_CONFIG_HOME/pimlico/servers.toml"
printf 'store=%s\n' "$work/client/store" >"$work/client/local.conf"
unset PIMLICO_TOKEN

pimlico() {
    printf '$ pimlico wordcount.conf %s\n' "$*"
    "$bin/pimlico" "$conf" --local-config "$work/client/local.conf" --non-interactive "$@"
}

step "Running module 1 on daemon A"
pimlico --server a run 1

step "Transferring module 1's data from A to B (B pulls it from A)"
pimlico transfer 1 --from a --to b

step "Running module 2 and the modules after it on daemon B"
pimlico --server b run 2...

step "Status on daemon A"
pimlico --server a status --xa

step "Status on daemon B"
pimlico --server b status --xa

step "Stopping the daemons"
for pid in "${pids[@]}"; do
    kill -TERM "$pid"
done
for pid in "${pids[@]}"; do
    wait "$pid" || fail "a daemon did not stop cleanly (pid $pid)"
done
pids=()

if [ "$keep" -eq 1 ]; then
    echo "Done. Stores, tokens, logs and client settings are in $work"
else
    echo "Done."
fi

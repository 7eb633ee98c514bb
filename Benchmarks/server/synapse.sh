#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: 2026 KeyMesh contributors
#
# A local Synapse (SQLite store) as the baseline for run.sh:
#
#   Benchmarks/server/synapse.sh [install|config|start|stop|status|reset|all]   (default: all)
#
# `all` = install + config + start; `reset` stops it and deletes its database (a clean baseline). Installs matrix-synapse into $SYNAPSE_VENV, writes
# $SYNAPSE_DIR/homeserver.yaml (server_name localhost, SQLite, plain-HTTP client API on
# 127.0.0.1:$SYNAPSE_PORT, open registration via the dummy flow, rate limits effectively off,
# bcrypt_rounds 4 so seeding's registrations are quick) and starts it in the background.
# Then: Benchmarks/server/run.sh http://127.0.0.1:$SYNAPSE_PORT
#
# Environment (defaults in brackets): SYNAPSE_VENV [$TMPDIR/keymesh-bench/synapse-venv],
# SYNAPSE_DIR [$TMPDIR/keymesh-bench/synapse], SYNAPSE_PORT [8458], SYNAPSE_VERSION [newest],
# PYTHON [python3, used to create the venv].
set -euo pipefail

venv="${SYNAPSE_VENV:-${TMPDIR:-/tmp}/keymesh-bench/synapse-venv}"
dir="${SYNAPSE_DIR:-${TMPDIR:-/tmp}/keymesh-bench/synapse}"
port="${SYNAPSE_PORT:-8458}"
version="${SYNAPSE_VERSION:-}"
config="$dir/homeserver.yaml"
pid_file="$dir/homeserver.pid"
url="http://127.0.0.1:$port"

install() {
    if [ ! -x "$venv/bin/python" ]; then "${PYTHON:-python3}" -m venv "$venv"; fi
    if ! "$venv/bin/python" -c 'import synapse' 2>/dev/null; then
        "$venv/bin/pip" install -q --disable-pip-version-check \
            "matrix-synapse${version:+==$version}" cryptography
    fi
    echo "synapse.sh: $("$venv/bin/python" -c 'import synapse; print("matrix-synapse", synapse.__version__)') in $venv"
}

config() {
    mkdir -p "$dir"
    if [ ! -f "$config" ]; then
        # Generates the secrets, signing key and log config; the settings below are overridden.
        (cd "$dir" && "$venv/bin/python" -m synapse.app.homeserver --server-name localhost \
            --config-path "$config" --data-directory "$dir" --generate-config --report-stats=no)
    fi
    "$venv/bin/python" - "$config" "$dir" "$port" <<'PY'
import sys, yaml
path, data_dir, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
with open(path) as f:
    cfg = yaml.safe_load(f)
def unlimited():
    return {"per_second": 10000, "burst_count": 100000}
cfg.update({
    "server_name": "localhost",
    "listeners": [{"port": port, "bind_addresses": ["127.0.0.1"], "type": "http", "tls": False,
                   "x_forwarded": False, "resources": [{"names": ["client"], "compress": False}]}],
    "database": {"name": "sqlite3", "args": {"database": f"{data_dir}/homeserver.db"}},
    "enable_registration": True,
    "enable_registration_without_verification": True,
    "bcrypt_rounds": 4,
    "report_stats": False,
    "trusted_key_servers": [],
    "suppress_key_server_warning": True,
    "rc_message": unlimited(),
    "rc_registration": unlimited(),
    "rc_registration_token_validity": unlimited(),
    "rc_login": {"address": unlimited(), "account": unlimited(), "failed_attempts": unlimited()},
    "rc_joins": {"local": unlimited(), "remote": unlimited()},
    "rc_key_requests": unlimited(),
    "rc_admin_redaction": unlimited(),
})
with open(path, "w") as f:
    yaml.safe_dump(cfg, f, sort_keys=False)
PY
    echo "synapse.sh: config $config"
}

running() { [ -f "$pid_file" ] && kill -0 "$(cat "$pid_file")" 2>/dev/null; }

start() {
    if running; then echo "synapse.sh: already running (pid $(cat "$pid_file"))"; return; fi
    (cd "$dir" && exec nohup "$venv/bin/python" -m synapse.app.homeserver -c "$config" \
        >"$dir/stdout.log" 2>&1) &
    echo $! >"$pid_file"
    for _ in $(seq 1 120); do
        if curl -fsS "$url/_matrix/client/versions" >/dev/null 2>&1; then
            echo "synapse.sh: listening on $url (pid $(cat "$pid_file"))"
            return
        fi
        sleep 0.5
    done
    echo "synapse.sh: Synapse did not come up; see $dir/stdout.log and $dir/homeserver.log" >&2
    exit 1
}

stop() {
    if ! running; then echo "synapse.sh: not running"; return; fi
    local pid
    pid="$(cat "$pid_file")"
    kill "$pid"
    for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || { echo "synapse.sh: stopped"; return; }; sleep 0.5; done
    echo "synapse.sh: pid $pid still running" >&2
    exit 1
}

reset() { stop; rm -f "$dir"/homeserver.db*; echo "synapse.sh: database deleted"; }

status() { if running; then echo "running (pid $(cat "$pid_file")) on $url"; else echo "stopped"; fi; }

case "${1:-all}" in
    install) install ;;
    config) config ;;
    start) start ;;
    stop) stop ;;
    status) status ;;
    reset) reset ;;
    all) install; config; start ;;
    *) echo "usage: $0 [install|config|start|stop|status|reset|all]" >&2; exit 2 ;;
esac

#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: 2026 KeyMesh contributors
#
# The store comparison (docs/PERFORMANCE.md "Key server on PostgreSQL"): starts, on this machine,
#
#   sqlite    one `keymesh serve` on the embedded SQLite store
#   pg1       one `keymesh serve` on PostgreSQL
#   pg2       two `keymesh serve` on one PostgreSQL database behind nginx (round robin)
#   synapse   Synapse on SQLite (synapse.sh), unless --no-synapse
#
# then runs run.sh over all of them in one invocation (alternating, with CPU per request:
# each keymesh's processes plus the whole PostgreSQL cluster; nginx is not charged) and stops
# them. The PostgreSQL cluster is scripts/postgres with durable settings (fsync on), in its own
# folder. Usage:
#
#   Benchmarks/server/compare.sh [--keymesh PATH] [--no-synapse] [--dir DIR] [run.sh options...]
#
# --keymesh defaults to .build/release/keymesh (swift build -c release --product keymesh).
# Other options go to run.sh (--rounds, --duration, --connections, --workloads, --out, ...).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
keymesh="$root/.build/release/keymesh"
synapse=1
dir="${TMPDIR:-/tmp}/keymesh-compare"
pass=()
while [ $# -gt 0 ]; do
    case "$1" in
        --keymesh) keymesh="$2"; shift 2 ;;
        --no-synapse) synapse=0; shift ;;
        --dir) dir="$2"; shift 2 ;;
        -h|--help) sed -n '5,21p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) pass+=("$1"); shift ;;
    esac
done
[ -x "$keymesh" ] || { echo "compare.sh: no $keymesh (swift build -c release --product keymesh)" >&2; exit 1; }
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || { echo "compare.sh: nginx missing (apt-get install nginx-light)" >&2; exit 1; }
nginx_bin="$(command -v nginx || echo /usr/sbin/nginx)"

rm -rf "$dir"
mkdir -p "$dir"
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    [ ! -f "$dir/nginx/nginx.pid" ] || kill "$(cat "$dir/nginx/nginx.pid")" 2>/dev/null || true
    [ "$synapse" = 0 ] || SYNAPSE_DIR="$dir/synapse" bash "$here/synapse.sh" stop >/dev/null 2>&1 || true
    KEYMESH_POSTGRES_DIR="$dir/postgres" bash "$root/scripts/postgres" stop 2>/dev/null || true
}
trap cleanup EXIT

# A durable PostgreSQL cluster of its own, and one database per PostgreSQL target.
eval "$(KEYMESH_POSTGRES_DIR="$dir/postgres" KEYMESH_POSTGRES_DURABLE=1 bash "$root/scripts/postgres")"
pg_port="$(cat "$dir/postgres/port")"
pg_url() { echo "postgres://keymesh@127.0.0.1:$pg_port/$1?sslmode=disable"; }
for db in keymesh_pg1 keymesh_pg2; do
    runuser_psql=(psql -X -q -h "$dir/postgres/run" -p "$pg_port" -U postgres -d postgres)
    if [ "$(id -u)" -eq 0 ]; then runuser_psql=(runuser -u postgres -- "${runuser_psql[@]}"); fi
    "${runuser_psql[@]}" -c "CREATE DATABASE $db OWNER keymesh" >/dev/null
done
# the cluster's processes: the postmaster and its children (backends, WAL writer, checkpointer)
cat >"$dir/postgres-pids" <<EOF
main="\$(head -n 1 "$dir/postgres/data/postmaster.pid")"
echo "\$main"
pgrep -P "\$main" || true
EOF

# keymesh serve NAME PORT [DATABASE-URL]: starts one instance, writes its PID to $dir/NAME.pid.
serve() {
    local name="$1" port="$2" database="${3:-}"
    mkdir -p "$dir/$name"
    env ${database:+KEYMESH_DATABASE="$database" KEYMESH_DATABASE_PASSWORD="$KEYMESH_TEST_POSTGRES_PASSWORD"} \
        "$keymesh" serve --host 127.0.0.1 --port "$port" --data-dir "$dir/$name" --claim-rate 0 \
        --register-rate 0 --login-rate 0 --password-strength minimum --log-level warning \
        >"$dir/$name.log" 2>&1 &
    pids+=($!)
    echo $! >"$dir/$name.pid"
    for _ in $(seq 1 100); do
        curl -fsS "http://127.0.0.1:$port/_matrix/client/versions" >/dev/null 2>&1 && return 0
        sleep 0.2
    done
    cat "$dir/$name.log" >&2
    echo "compare.sh: $name did not start" >&2
    exit 1
}
serve sqlite 18211
serve pg1 18212 "$(pg_url keymesh_pg1)"
serve pg2a 18213 "$(pg_url keymesh_pg2)"
serve pg2b 18214 "$(pg_url keymesh_pg2)"

mkdir -p "$dir/nginx"
cat >"$dir/nginx/nginx.conf" <<EOF
worker_processes 1;
pid $dir/nginx/nginx.pid;
error_log $dir/nginx/error.log warn;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path $dir/nginx/body;
    proxy_temp_path $dir/nginx/proxy;
    fastcgi_temp_path $dir/nginx/fastcgi;
    uwsgi_temp_path $dir/nginx/uwsgi;
    scgi_temp_path $dir/nginx/scgi;
    upstream keymesh { server 127.0.0.1:18213; server 127.0.0.1:18214; keepalive 64; }
    server {
        listen 127.0.0.1:18215;
        client_max_body_size 1m;
        location / {
            proxy_pass http://keymesh;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host \$host;
        }
    }
}
EOF
"$nginx_bin" -c "$dir/nginx/nginx.conf" -p "$dir/nginx" 2>"$dir/nginx/start.log" ||
    { cat "$dir/nginx/start.log" >&2; exit 1; }

targets=(sqlite=http://127.0.0.1:18211 pg1=http://127.0.0.1:18212 pg2=http://127.0.0.1:18215)
cpu=(--cpu "sqlite=cat $dir/sqlite.pid"
     --cpu "pg1=cat $dir/pg1.pid; bash $dir/postgres-pids"
     --cpu "pg2=cat $dir/pg2a.pid $dir/pg2b.pid; bash $dir/postgres-pids")
if [ "$synapse" = 1 ]; then
    SYNAPSE_DIR="$dir/synapse" SYNAPSE_PORT=18216 bash "$here/synapse.sh"
    targets+=(synapse=http://127.0.0.1:18216)
    cpu+=(--cpu "synapse=cat $dir/synapse/homeserver.pid")
fi

bash "$here/run.sh" "${targets[@]}" "${cpu[@]}" --run-dir "$dir/run" "${pass[@]}"

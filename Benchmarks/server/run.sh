#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: 2026 KeyMesh contributors
#
# Load benchmark of POST /_matrix/client/v3/keys/{query,claim,upload} against one or more Matrix
# homeservers, measured alternately in one invocation (see README.md):
#
#   Benchmarks/server/run.sh [NAME=]BASE_URL [[NAME=]BASE_URL ...] [--rounds 1]
#       [--cpu NAME=COMMAND ...] [--connections "16 64"] [--duration 10s] [--out results.json]
#       [--threads 2] [--timeout 10s] [--run-dir DIR] [--workloads "query claim upload"]
#       [--query-users 10] [--query-devices 1] [--claim-keys 60000] [--upload-rate 5000]
#       [--otk-limit 500] [--settle 3] [--label NAME]
#
# Seeds users and signed keys on every server with seed.py (untimed), then for each round, each
# connection count and each workload runs wrk against every server in turn (the order reversed
# every other round). --cpu names a shell command printing the PIDs whose CPU time a server's
# requests cost (its processes, a database's); each run then reports CPU µs per request. With
# several servers the first is the baseline of the printed ratios. Needs wrk (apt-get install
# wrk) and a Python with `cryptography` ($PYTHON, default python3; see requirements.txt).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
python="${PYTHON:-python3}"

usage() { sed -n '5,20p' "$0" | sed 's/^# \{0,1\}//'; exit "${1:-0}"; }

[ $# -ge 1 ] || usage 2
case "$1" in -h|--help) usage 0 ;; esac
names=()
declare -A url_of=() cpu_of=()
while [ $# -gt 0 ] && [ "${1#--}" = "$1" ]; do
    case "$1" in
        *=*) name="${1%%=*}"; url="${1#*=}" ;;
        *) name="server$(( ${#names[@]} + 1 ))"; url="$1" ;;
    esac
    case "$name" in *[!A-Za-z0-9_-]*|"") echo "run.sh: a server name is letters, digits, - and _: $name" >&2; exit 2 ;; esac
    [ -z "${url_of[$name]:-}" ] || { echo "run.sh: server $name named twice" >&2; exit 2; }
    names+=("$name")
    url_of[$name]="${url%/}"
    shift
done
[ ${#names[@]} -ge 1 ] || usage 2
rounds=1

connections="16 64"
duration="10s"
out="results.json"
threads=2
timeout="10s"
run_dir=""
workloads="query claim upload"
query_users=10
query_devices=1
claim_keys=60000
upload_rate=5000
otk_limit=500
settle=3
label=""

while [ $# -gt 0 ]; do
    [ $# -ge 2 ] || { echo "run.sh: $1 needs a value" >&2; exit 2; }
    case "$1" in
        --connections) connections="$2" ;;
        --duration) duration="$2" ;;
        --out) out="$2" ;;
        --threads) threads="$2" ;;
        --timeout) timeout="$2" ;;
        --run-dir) run_dir="$2" ;;
        --workloads) workloads="$2" ;;
        --query-users) query_users="$2" ;;
        --query-devices) query_devices="$2" ;;
        --claim-keys) claim_keys="$2" ;;
        --upload-rate) upload_rate="$2" ;;
        --otk-limit) otk_limit="$2" ;;
        --settle) settle="$2" ;;
        --label) label="$2" ;;
        --rounds) rounds="$2" ;;
        --cpu)
            name="${2%%=*}"
            [ -n "${url_of[$name]:-}" ] || { echo "run.sh: --cpu names an unknown server: $name" >&2; exit 2; }
            cpu_of[$name]="${2#*=}"
            ;;
        *) echo "run.sh: unknown option $1" >&2; usage 2 ;;
    esac
    shift 2
done

command -v wrk >/dev/null || { echo "run.sh: wrk not found (apt-get install wrk)" >&2; exit 1; }
"$python" -c 'import cryptography' 2>/dev/null ||
    { echo "run.sh: $python lacks cryptography (pip install -r $here/requirements.txt)" >&2; exit 1; }
[ -n "$run_dir" ] || run_dir="$(mktemp -d "${TMPDIR:-/tmp}/keymesh-bench.XXXXXX")"
mkdir -p "$run_dir"
seed() { "$python" "$here/seed.py" "$@"; }

max_connections=0
for c in $connections; do
    if [ "$c" -gt "$max_connections" ]; then max_connections="$c"; fi
done
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
rm -f "$run_dir/results.jsonl"
declare -A seed_ms_of=()
for name in "${names[@]}"; do
    dir="$run_dir/$name"
    echo "run.sh: seeding $name at ${url_of[$name]} (run dir $dir)"
    seed_started=$(now_ms)
    seed init --base-url "${url_of[$name]}" --run-dir "$dir" --workers "$max_connections" \
        --query-users "$query_users" --query-devices "$query_devices" \
        --claim-keys "$claim_keys" --otk-limit "$otk_limit"
    seed_ms_of[$name]=$(( $(now_ms) - seed_started ))
done

# One measured run: $1 server name, $2 workload, $3 connections, $4 round.
measure() {
    local name="$1" workload="$2" c="$3" round="$4"
    local dir="$run_dir/$name" base_url="${url_of[$name]}" pool_dir="" tag="r$4-c$3"
    local prep_started prep_ms log started_at cpu_args=()
    prep_started=$(now_ms)
    case "$workload" in
        claim) seed claim-topup --run-dir "$dir" --keys "$claim_keys" ;;
        upload)
            pool_dir="$dir/upload/$tag"
            seed upload-pool --run-dir "$dir" --connections "$c" --duration "$duration" \
                --rate "$upload_rate" --tag "$tag"
            ;;
        query) ;;
        *) echo "run.sh: unknown workload $workload" >&2; exit 2 ;;
    esac
    prep_ms=$(( $(now_ms) - prep_started ))
    sleep "$settle"  # lets the server finish background work the preparation caused
    log="$dir/wrk-$workload-$tag.log"
    echo "run.sh: round $round, $name, $workload, $c connections, $duration"
    started_at=$(date -u +%Y-%m-%dT%H:%M:%SZ)
    if [ -n "${cpu_of[$name]:-}" ]; then
        seed cpu-sample --pids-command "${cpu_of[$name]}" --out "$dir/cpu-before.json"
        cpu_args=(--cpu-before "$dir/cpu-before.json" --cpu-after "$dir/cpu-after.json")
    fi
    wrk -t "$threads" -c "$c" -d "$duration" --timeout "$timeout" \
        -s "$here/keys.lua" "$base_url" -- "$workload" "$dir" "$c" "$threads" ${pool_dir:+"$pool_dir"} \
        >"$log" 2>&1 || { cat "$log" >&2; exit 1; }
    if [ -n "${cpu_of[$name]:-}" ]; then
        seed cpu-sample --pids-command "${cpu_of[$name]}" --out "$dir/cpu-after.json"
    fi
    seed record --run-dir "$dir" --wrk-log "$log" --prep-ms "$prep_ms" --started-at "$started_at" \
        --target "$name" --round "$round" --results "$run_dir/results.jsonl" "${cpu_args[@]}"
    [ -z "$pool_dir" ] || rm -rf "$pool_dir"
}

for round in $(seq 1 "$rounds"); do
    order=("${names[@]}")
    if [ $(( round % 2 )) -eq 0 ]; then
        order=()
        for (( i=${#names[@]}-1; i>=0; i-- )); do order+=("${names[$i]}"); done
    fi
    for c in $connections; do
        for workload in $workloads; do
            for name in "${order[@]}"; do measure "$name" "$workload" "$c" "$round"; done
        done
    done
done

targets=()
for name in "${names[@]}"; do targets+=("$name=$run_dir/$name=${seed_ms_of[$name]}"); done
seed results --results "$run_dir/results.jsonl" --targets "${targets[@]}" --out "$out" \
    --meta "label=$label" "duration=$duration" "threads=$threads" "rounds=$rounds" "claim_keys=$claim_keys" \
    "upload_rate=$upload_rate" "otk_limit=$otk_limit" "settle_s=$settle" "query_users=$query_users" \
    "query_devices=$query_devices"
echo "run.sh: wrote $out"

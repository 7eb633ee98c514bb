#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: 2026 KeyMesh contributors
#
# Load benchmark of POST /_matrix/client/v3/keys/{query,claim,upload} against any Matrix
# homeserver (see README.md):
#
#   Benchmarks/server/run.sh BASE_URL [--connections "16 64"] [--duration 10s] [--out results.json]
#       [--threads 2] [--timeout 10s] [--run-dir DIR] [--workloads "query claim upload"]
#       [--query-users 10] [--query-devices 1] [--claim-keys 60000] [--upload-rate 5000]
#       [--otk-limit 500] [--settle 3] [--label NAME]
#
# Seeds users and signed keys with seed.py (untimed), then runs wrk once per workload per
# connection count. Needs wrk (apt-get install wrk) and a Python with `cryptography` ($PYTHON,
# default python3; see requirements.txt).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
python="${PYTHON:-python3}"

usage() { sed -n '5,15p' "$0" | sed 's/^# \{0,1\}//'; exit "${1:-0}"; }

[ $# -ge 1 ] || usage 2
case "$1" in -h|--help) usage 0 ;; esac
base_url="${1%/}"
shift

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

echo "run.sh: seeding $base_url (run dir $run_dir)"
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
seed_started=$(now_ms)
rm -f "$run_dir/results.jsonl"
seed init --base-url "$base_url" --run-dir "$run_dir" --workers "$max_connections" \
    --query-users "$query_users" --query-devices "$query_devices" \
    --claim-keys "$claim_keys" --otk-limit "$otk_limit"
seed_ms=$(( $(now_ms) - seed_started ))

for c in $connections; do
    for workload in $workloads; do
        pool_dir=""
        prep_started=$(now_ms)
        case "$workload" in
            claim) seed claim-topup --run-dir "$run_dir" --keys "$claim_keys" ;;
            upload)
                pool_dir="$run_dir/upload/c$c"
                seed upload-pool --run-dir "$run_dir" --connections "$c" --duration "$duration" \
                    --rate "$upload_rate" --tag "c$c"
                ;;
            query) ;;
            *) echo "run.sh: unknown workload $workload" >&2; exit 2 ;;
        esac
        prep_ms=$(( $(now_ms) - prep_started ))
        sleep "$settle"  # lets the server finish background work the preparation caused
        log="$run_dir/wrk-$workload-c$c.log"
        echo "run.sh: $workload, $c connections, $duration"
        started_at=$(date -u +%Y-%m-%dT%H:%M:%SZ)
        wrk -t "$threads" -c "$c" -d "$duration" --timeout "$timeout" \
            -s "$here/keys.lua" "$base_url" -- "$workload" "$run_dir" "$c" "$threads" ${pool_dir:+"$pool_dir"} \
            >"$log" 2>&1 || { cat "$log" >&2; exit 1; }
        seed record --run-dir "$run_dir" --wrk-log "$log" --prep-ms "$prep_ms" \
            --started-at "$started_at"
        [ -z "$pool_dir" ] || rm -rf "$pool_dir"
    done
done

seed results --run-dir "$run_dir" --out "$out" --meta "label=$label" "duration=$duration" \
    "threads=$threads" "seed_ms=$seed_ms" "claim_keys=$claim_keys" \
    "upload_rate=$upload_rate" "otk_limit=$otk_limit" "settle_s=$settle" "query_users=$query_users" \
    "query_devices=$query_devices"
echo "run.sh: wrote $out"

#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: 2026 KeyMesh contributors
"""Seeding and bookkeeping for the key-endpoint load benchmark (see README.md, run.sh).

Talks plain Matrix client-server API to any homeserver, so the same data set can be used against
Synapse and KeyMesh. Everything it uploads is really signed (Ed25519 over canonical JSON), because
KeyMesh verifies signatures. All state lives in one run directory:

  state.json        users, devices, access tokens, Ed25519 seeds, next one-time-key ids
  tokens.txt        the workers' access tokens (one user and device per wrk connection), one
                    per line; query and claim requests rotate through them
  query.json        the /keys/query body
  claim.jsonl       /keys/claim bodies, one per claim target device
  upload/<tag>/     one upload run's devices: tokens.txt (line i = device i) and wNNN.jsonl,
                    device NNN's pre-signed /keys/upload bodies, one per line
  results.jsonl     one line per measured run (written by `record`)

Servers may cap the one-time keys a device holds (Synapse: 500 per algorithm, hard-coded), so
no device is ever given more than --otk-limit keys: the claim keys are spread over as many
target devices as that takes, and each upload run gets fresh devices, as many as its pool needs.

Subcommands: init, claim-topup, otk-count, upload-pool, cpu-sample, record, results. Needs only the standard
library plus `cryptography` (requirements.txt).
"""

from __future__ import annotations

import argparse
import base64
import concurrent.futures
import json
import math
import multiprocessing
import os
import re
import secrets
import sys
import time
import urllib.error
import urllib.request

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

ALGORITHMS = ["m.olm.v1.curve25519-aes-sha2", "m.megolm.v1.aes-sha2"]
PASSWORD = "keymesh-bench-password"


# --- Matrix signed JSON -------------------------------------------------------------------------


def b64(data: bytes) -> str:
    """Unpadded standard base64, as Matrix uses for keys and signatures."""
    return base64.b64encode(data).decode("ascii").rstrip("=")


def canonical_json(obj) -> bytes:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode("utf-8")


def sign(obj: dict, user_id: str, device_id: str, key: Ed25519PrivateKey) -> dict:
    """Returns obj with an ed25519:<device_id> signature by user_id added, per the spec's
    signing-JSON rules (`signatures` and `unsigned` are not covered)."""
    unsigned = {k: v for k, v in obj.items() if k not in ("signatures", "unsigned")}
    signature = b64(key.sign(canonical_json(unsigned)))
    signed = dict(obj)
    signatures = {u: dict(s) for u, s in obj.get("signatures", {}).items()}
    signatures.setdefault(user_id, {})[f"ed25519:{device_id}"] = signature
    signed["signatures"] = signatures
    return signed


def ed25519_from_hex(seed_hex: str) -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(bytes.fromhex(seed_hex))


def ed25519_public_b64(key: Ed25519PrivateKey) -> str:
    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return b64(raw)


def one_time_keys(user_id: str, device_id: str, key: Ed25519PrivateKey, first_id: int, count: int,
                  prefix: str = "AAAA") -> dict:
    """`count` signed curve25519 one-time keys with ids prefix+first_id, prefix+first_id+1, …
    The public keys are random 32-byte strings: servers store them, they never use them."""
    keys = {}
    for n in range(first_id, first_id + count):
        keys[f"signed_curve25519:{prefix}{n:08d}"] = sign(
            {"key": b64(os.urandom(32))}, user_id, device_id, key)
    return keys


# --- HTTP ---------------------------------------------------------------------------------------


class MatrixError(Exception):
    def __init__(self, status: int, body):
        super().__init__(f"HTTP {status}: {body}")
        self.status = status
        self.body = body


def call(base_url: str, method: str, path: str, body=None, token: str | None = None,
         timeout: float = 60.0):
    """One JSON request. Retries 429s (honouring retry_after_ms) and connection errors a few
    times; any other non-2xx raises MatrixError carrying the decoded body."""
    url = base_url.rstrip("/") + path
    data = None if body is None else json.dumps(body).encode("utf-8")
    for attempt in range(10):
        request = urllib.request.Request(url, data=data, method=method)
        request.add_header("Content-Type", "application/json")
        if token:
            request.add_header("Authorization", f"Bearer {token}")
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as error:
            raw = error.read()
            try:
                decoded = json.loads(raw)
            except ValueError:
                decoded = raw.decode("utf-8", "replace")
            if error.code == 429 and attempt < 9:
                wait_ms = decoded.get("retry_after_ms", 500) if isinstance(decoded, dict) else 500
                time.sleep(min(wait_ms, 5000) / 1000)
                continue
            raise MatrixError(error.code, decoded) from None
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            if attempt >= 4:
                raise
            time.sleep(0.5 * (attempt + 1))
    raise RuntimeError("unreachable")


def register(base_url: str, username: str, device_id: str) -> dict:
    """POST /register with the user-interactive-auth dummy flow: a first call without `auth`
    yields 401 + session, the retry with {"type": "m.login.dummy", "session": S} succeeds."""
    body = {"username": username, "password": PASSWORD, "device_id": device_id,
            "initial_device_display_name": "keymesh-bench", "inhibit_login": False}
    try:
        return call(base_url, "POST", "/_matrix/client/v3/register", body)
    except MatrixError as error:
        if error.status != 401 or not isinstance(error.body, dict) or "session" not in error.body:
            raise
        flows = error.body.get("flows", [])
        if flows and not any(f.get("stages") == ["m.login.dummy"] for f in flows):
            raise SystemExit(f"seed: the server offers no m.login.dummy registration flow: {flows}")
        body["auth"] = {"type": "m.login.dummy", "session": error.body["session"]}
        return call(base_url, "POST", "/_matrix/client/v3/register", body)


def login(base_url: str, username: str, device_id: str) -> dict:
    body = {"type": "m.login.password", "identifier": {"type": "m.id.user", "user": username},
            "password": PASSWORD, "device_id": device_id,
            "initial_device_display_name": "keymesh-bench"}
    return call(base_url, "POST", "/_matrix/client/v3/login", body)


# --- devices ------------------------------------------------------------------------------------


def new_device(base_url: str, username: str, device_id: str, first: bool) -> dict:
    """Registers (first device) or logs in (further devices), then uploads signed device keys
    and a signed fallback key. Returns the device's record for state.json."""
    reply = register(base_url, username, device_id) if first else login(base_url, username, device_id)
    user_id, device_id, token = reply["user_id"], reply["device_id"], reply["access_token"]
    signing = Ed25519PrivateKey.generate()
    identity = X25519PrivateKey.generate().public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    device_keys = sign({
        "user_id": user_id,
        "device_id": device_id,
        "algorithms": ALGORITHMS,
        "keys": {f"curve25519:{device_id}": b64(identity),
                 f"ed25519:{device_id}": ed25519_public_b64(signing)},
    }, user_id, device_id, signing)
    fallback = sign({"key": b64(os.urandom(32)), "fallback": True}, user_id, device_id, signing)
    call(base_url, "POST", "/_matrix/client/v3/keys/upload",
         {"device_keys": device_keys, "fallback_keys": {"signed_curve25519:FALLBACK1": fallback}},
         token)
    seed_hex = signing.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                                     serialization.NoEncryption()).hex()
    return {"user_id": user_id, "device_id": device_id, "access_token": token,
            "ed25519_seed": seed_hex, "next_otk": 0}


def otk_count(base_url: str, device: dict) -> int:
    """The device's unclaimed signed_curve25519 count, via an empty /keys/upload."""
    reply = call(base_url, "POST", "/_matrix/client/v3/keys/upload", {}, device["access_token"])
    return int(reply.get("one_time_key_counts", {}).get("signed_curve25519", 0))


# --- state --------------------------------------------------------------------------------------


def load_state(run_dir: str) -> dict:
    with open(os.path.join(run_dir, "state.json"), encoding="utf-8") as f:
        return json.load(f)


def save_state(run_dir: str, state: dict) -> None:
    path = os.path.join(run_dir, "state.json")
    with open(path + ".tmp", "w", encoding="utf-8") as f:
        json.dump(state, f, indent=1)
    os.replace(path + ".tmp", path)


def write_json(path: str, obj) -> None:
    with open(path, "w", encoding="utf-8") as f:
        f.write(json.dumps(obj, separators=(",", ":")))


def parse_duration(text: str) -> float:
    """wrk's duration syntax: 10, 10s, 2m, 1h."""
    match = re.fullmatch(r"(\d+(?:\.\d+)?)([smh]?)", text.strip())
    if not match:
        raise SystemExit(f"seed: cannot parse duration {text!r}")
    return float(match.group(1)) * {"": 1, "s": 1, "m": 60, "h": 3600}[match.group(2)]


def log(message: str) -> None:
    print(f"seed: {message}", file=sys.stderr, flush=True)


# --- subcommands --------------------------------------------------------------------------------


def create_devices(base_url: str, jobs: list, parallel: int) -> list[dict]:
    """jobs: (username, device_id, register?) tuples; registrations run first (in parallel),
    then the logins that add further devices. Returns the device records in job order."""
    made = {}
    with concurrent.futures.ThreadPoolExecutor(parallel) as pool:
        for first in (True, False):
            todo = [(n, j) for n, j in enumerate(jobs) if j[2] == first]
            for (n, _), device in zip(todo, pool.map(lambda t: new_device(base_url, *t[1]), todo)):
                made[n] = device
    return [made[n] for n in range(len(jobs))]


def cmd_init(args) -> None:
    """Creates the workers, the queried users and the claim targets, writes the bodies."""
    os.makedirs(args.run_dir, exist_ok=True)
    started = time.monotonic()
    if args.otk_limit < 5:
        raise SystemExit("seed: --otk-limit must be at least 5 (one upload body)")
    tag = args.prefix or "kmb" + secrets.token_hex(3)
    targets = max(1, math.ceil(args.claim_keys / args.otk_limit))
    jobs = {"workers": [(f"{tag}_w{i:03d}", f"W{i:03d}", True) for i in range(args.workers)],
            "query": [(f"{tag}_q{u:03d}", f"Q{u:03d}D{d}", d == 0)
                      for u in range(args.query_users) for d in range(args.query_devices)],
            "targets": [(f"{tag}_target", f"T{n:04d}", n == 0) for n in range(targets)]}
    state = {"base_url": args.base_url, "tag": tag, "otk_limit": args.otk_limit,
             "upload_devices": 0}
    for group, group_jobs in jobs.items():
        state[group] = create_devices(args.base_url, group_jobs, args.parallel)
        log(f"{group}: {len(state[group])} devices with signed device keys and a fallback key")
    state["server_name"] = state["targets"][0]["user_id"].split(":", 1)[1]
    save_state(args.run_dir, state)

    with open(os.path.join(args.run_dir, "tokens.txt"), "w", encoding="utf-8") as f:
        f.writelines(w["access_token"] + "\n" for w in state["workers"])
    query_users = sorted({d["user_id"] for d in state["query"]})
    write_json(os.path.join(args.run_dir, "query.json"),
               {"device_keys": {u: [] for u in query_users}})
    with open(os.path.join(args.run_dir, "claim.jsonl"), "w", encoding="utf-8") as f:
        for t in state["targets"]:
            body = {"one_time_keys": {t["user_id"]: {t["device_id"]: "signed_curve25519"}}}
            f.write(json.dumps(body, separators=(",", ":")) + "\n")
    log(f"init done in {time.monotonic() - started:.1f}s "
        f"(server name {state['server_name']}, user prefix {tag})")


def cmd_claim_topup(args) -> None:
    """Tops every claim target device up to its share of --keys one-time keys (at most the
    per-device limit), uploading in batches of --batch."""
    started = time.monotonic()
    state = load_state(args.run_dir)
    base_url, targets = state["base_url"], state["targets"]
    share = min(state["otk_limit"], math.ceil(args.keys / len(targets)))
    with concurrent.futures.ThreadPoolExecutor(args.parallel) as pool:
        before = list(pool.map(lambda t: otk_count(base_url, t), targets))
        batches = []  # (target, first id, count)
        for target, count in zip(targets, before):
            missing = max(0, share - count)
            while missing > 0:
                n = min(args.batch, missing)
                batches.append((target, target["next_otk"], n))
                target["next_otk"] += n
                missing -= n
        save_state(args.run_dir, state)  # ids stay reserved even if an upload fails below

        def upload(batch):
            target, first_id, n = batch
            key = ed25519_from_hex(target["ed25519_seed"])
            otks = one_time_keys(target["user_id"], target["device_id"], key, first_id, n)
            call(base_url, "POST", "/_matrix/client/v3/keys/upload", {"one_time_keys": otks},
                 target["access_token"])

        list(pool.map(upload, batches))
        after = list(pool.map(lambda t: otk_count(base_url, t), targets))
    log(f"claim targets: {sum(before)} -> {sum(after)} one-time keys on {len(targets)} devices "
        f"({share} each, {len(batches)} uploads) in {time.monotonic() - started:.1f}s")
    if min(after) < share:
        raise SystemExit(f"seed: a claim target holds only {min(after)} of {share} keys")


def cmd_otk_count(args) -> None:
    state = load_state(args.run_dir)
    print(claim_keys_left(state))


def claim_keys_left(state: dict) -> int:
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        return sum(pool.map(lambda t: otk_count(state["base_url"], t), state["targets"]))


def _pool_worker(job) -> tuple[int, int]:
    """Writes one worker's upload bodies (runs in a child process to use every core)."""
    path, user_id, device_id, seed_hex, first_id, bodies, keys_per_body = job
    key = ed25519_from_hex(seed_hex)
    with open(path, "w", encoding="utf-8") as f:
        for b in range(bodies):
            otks = one_time_keys(user_id, device_id, key, first_id + b * keys_per_body,
                                 keys_per_body, prefix="U")
            f.write(json.dumps({"one_time_keys": otks}, separators=(",", ":")) + "\n")
    return bodies, first_id + bodies * keys_per_body


def cmd_upload_pool(args) -> None:
    """Creates fresh devices for one upload run (logins of the worker users) and pre-signs their
    /keys/upload bodies: each carries --keys-per-body one-time keys never used on that device,
    enough bodies for --rate requests/s over --duration. A device gets at most otk_limit keys,
    and there are at least --connections devices."""
    started = time.monotonic()
    state = load_state(args.run_dir)
    total = math.ceil(args.rate * parse_duration(args.duration))
    per_device_max = max(1, state["otk_limit"] // args.keys_per_body)
    count = max(args.connections, math.ceil(total / per_device_max))
    per_device = math.ceil(total / count)
    workers = state["workers"]
    first = state["upload_devices"]
    state["upload_devices"] += count
    save_state(args.run_dir, state)
    jobs = [(workers[n % len(workers)]["user_id"].split(":")[0][1:], f"U{first + n:05d}", False)
            for n in range(count)]
    devices = create_devices(state["base_url"], jobs, args.parallel)
    created = time.monotonic()

    out_dir = os.path.join(args.run_dir, "upload", args.tag)
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, "tokens.txt"), "w", encoding="utf-8") as f:
        f.writelines(d["access_token"] + "\n" for d in devices)
    jobs = [(os.path.join(out_dir, f"w{i:03d}.jsonl"), d["user_id"], d["device_id"],
             d["ed25519_seed"], 0, per_device, args.keys_per_body)
            for i, d in enumerate(devices)]
    with multiprocessing.Pool(args.processes or os.cpu_count()) as pool:
        pool.map(_pool_worker, jobs)
    log(f"upload pool {out_dir}: {count} new devices in {created - started:.1f}s, "
        f"{per_device * count} bodies x {args.keys_per_body} keys ({per_device} per device) "
        f"signed in {time.monotonic() - created:.1f}s")


def cmd_record(args) -> None:
    """Takes the JSON line the wrk script printed, adds run facts and warnings, appends it to
    results.jsonl."""
    line = None
    with open(args.wrk_log, encoding="utf-8", errors="replace") as f:
        for text in f:
            if text.startswith('{"workload"'):
                line = text
    if line is None:
        raise SystemExit(f"seed: no result line in {args.wrk_log}")
    result = json.loads(line)
    warnings = []
    if result.get("non2xx"):
        warnings.append(f"{result['non2xx']} non-2xx responses")
    errors = result.get("socket_errors", {})
    if any(errors.values()):
        warnings.append(f"socket errors {errors}")
    if result["workload"] == "claim":
        remaining = claim_keys_left(load_state(args.run_dir))
        result["claim_keys_left"] = remaining
        if remaining == 0:
            warnings.append("the claim targets ran out of one-time keys: later claims returned "
                            "fallback keys; raise --claim-keys")
    if result["workload"] == "upload" and result.get("pool_wraps"):
        warnings.append(f"upload pool ran out {result['pool_wraps']} times: later uploads were "
                        "re-uploads of existing keys (no-ops); raise --upload-rate")
    result["prep_ms"] = args.prep_ms
    result["started_at"] = args.started_at
    result["target"] = args.target
    result["round"] = args.round
    if args.cpu_before and args.cpu_after:
        cpu_ms = cpu_delta_ms(args.cpu_before, args.cpu_after)
        result["cpu_ms"] = round(cpu_ms, 1)
        result["cpu_us_per_request"] = round(1000 * cpu_ms / max(1, result["requests"]), 1)
    result["warnings"] = warnings
    for w in warnings:
        log(f"WARNING {args.target} {result['workload']} c={result['connections']}: {w}")
    with open(args.results or os.path.join(args.run_dir, "results.jsonl"), "a", encoding="utf-8") as f:
        f.write(json.dumps(result, separators=(",", ":")) + "\n")


def cpu_ticks(pid: int) -> int | None:
    """User + system CPU of one process in clock ticks, or None once it is gone."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat(5))
    except (OSError, IndexError, ValueError):
        return None


def cmd_cpu_sample(args) -> None:
    """Writes {pid: CPU ticks} for the PIDs --pids-command prints (one per word)."""
    import subprocess
    listed = subprocess.run(["bash", "-c", args.pids_command], capture_output=True, text=True, check=False)
    sample = {}
    for word in listed.stdout.split():
        if word.isdigit():
            ticks = cpu_ticks(int(word))
            if ticks is not None:
                sample[word] = ticks
    if not sample:
        raise SystemExit(f"seed: --pids-command printed no live PIDs: {args.pids_command!r}")
    write_json(args.out, sample)


def cpu_delta_ms(before_path: str, after_path: str) -> float:
    """CPU milliseconds spent between two samples: per PID the difference (a PID that appeared in
    between counts whole; one that ended in between is lost, so keep the measured processes alive)."""
    with open(before_path, encoding="utf-8") as f:
        before = json.load(f)
    with open(after_path, encoding="utf-8") as f:
        after = json.load(f)
    ticks = sum(t - before.get(pid, 0) for pid, t in after.items())
    return 1000.0 * ticks / os.sysconf("SC_CLK_TCK")


def median(values: list[float]) -> float:
    ordered = sorted(values)
    n = len(ordered)
    if n == 0:
        return float("nan")
    return ordered[n // 2] if n % 2 else (ordered[n // 2 - 1] + ordered[n // 2]) / 2


def cmd_results(args) -> None:
    """Writes one JSON document: metadata, each server (base URL, name, version, seed_ms: its
    initial seeding) and every run (each with its target, round and prep_ms: its claim top-up or
    upload pool). Prints each server's medians over the rounds and, with several servers, the
    median over rounds of each round's ratio to the first server."""
    runs = []
    if os.path.exists(args.results):
        with open(args.results, encoding="utf-8") as f:
            runs = [json.loads(line) for line in f if line.strip()]
    meta = dict(kv.split("=", 1) for kv in args.meta)
    for k, v in meta.items():
        for number in (int, float):
            try:
                meta[k] = number(v)
                break
            except ValueError:
                pass
    servers = {}
    for spec in args.targets:
        name, run_dir, seed_ms = spec.split("=", 2)
        state = load_state(run_dir)
        try:
            versions = call(state["base_url"], "GET", "/_matrix/client/versions")
            server = versions.get("server")  # only some servers say who they are
        except Exception:  # noqa: BLE001 — metadata only
            server = None
        servers[name] = {"base_url": state["base_url"], "server_name": state["server_name"],
                         "server": server, "seed_ms": int(seed_ms)}
    document = {"date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), **meta,
                "servers": servers, "runs": runs}
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump(document, f, indent=2)
        f.write("\n")

    names = list(servers)
    cells = {}  # (workload, connections) -> name -> [runs]
    for r in runs:
        cells.setdefault((r["workload"], r["connections"]), {}).setdefault(r["target"], []).append(r)
    print(f"{'server':12} {'workload':8} {'conns':>5} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} "
          f"{'CPU µs/req':>10} {'non-2xx':>7}  (medians of {meta.get('rounds', 1)} rounds)")
    for (workload, conns), by_name in cells.items():
        for name in names:
            rs = by_name.get(name, [])
            if not rs:
                continue
            cpu = [r["cpu_us_per_request"] for r in rs if "cpu_us_per_request" in r]
            print(f"{name:12} {workload:8} {conns:>5} {median([r['requests_per_sec'] for r in rs]):>9.0f} "
                  f"{median([r['latency_ms']['p50'] for r in rs]):>8.2f} "
                  f"{median([r['latency_ms']['p99'] for r in rs]):>8.2f} "
                  f"{(median(cpu) if cpu else float('nan')):>10.0f} {sum(r['non2xx'] for r in rs):>7}")
    if len(names) < 2:
        return
    base = names[0]
    print(f"\nratios to {base}, per round, median over rounds: req/s (CPU µs per request)")
    for (workload, conns), by_name in cells.items():
        base_runs = {r["round"]: r for r in by_name.get(base, [])}
        parts = []
        for name in names[1:]:
            pairs = [(base_runs[r["round"]], r) for r in by_name.get(name, []) if r["round"] in base_runs]
            if not pairs:
                continue
            rate = median([r["requests_per_sec"] / b["requests_per_sec"] for b, r in pairs])
            cpu = [r["cpu_us_per_request"] / b["cpu_us_per_request"] for b, r in pairs
                   if "cpu_us_per_request" in r and "cpu_us_per_request" in b]
            parts.append(f"{name} {rate:.2f}x" + (f" ({median(cpu):.2f}x)" if cpu else ""))
        print(f"  {workload:8} {conns:>3}: " + ", ".join(parts))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("init", help="register users, upload signed device keys, write bodies")
    p.add_argument("--base-url", required=True)
    p.add_argument("--run-dir", required=True)
    p.add_argument("--workers", type=int, default=64, help="one user/device per wrk connection")
    p.add_argument("--query-users", type=int, default=10)
    p.add_argument("--query-devices", type=int, default=1, help="devices per queried user")
    p.add_argument("--claim-keys", type=int, default=60000, help="keys claimable per claim run")
    p.add_argument("--otk-limit", type=int, default=500,
                   help="most one-time keys any device is given (Synapse rejects more than 500)")
    p.add_argument("--prefix", help="username prefix (default: random, so reruns never clash)")
    p.add_argument("--parallel", type=int, default=8, help="concurrent seeding requests")
    p.set_defaults(func=cmd_init)

    p = sub.add_parser("claim-topup", help="ensure the claim target holds --keys one-time keys")
    p.add_argument("--run-dir", required=True)
    p.add_argument("--keys", type=int, default=60000)
    p.add_argument("--batch", type=int, default=100)
    p.add_argument("--parallel", type=int, default=8)
    p.set_defaults(func=cmd_claim_topup)

    p = sub.add_parser("otk-count", help="print the claim targets' one-time keys left")
    p.add_argument("--run-dir", required=True)
    p.set_defaults(func=cmd_otk_count)

    p = sub.add_parser("upload-pool", help="pre-sign /keys/upload bodies for one run")
    p.add_argument("--run-dir", required=True)
    p.add_argument("--connections", type=int, required=True)
    p.add_argument("--duration", default="10s")
    p.add_argument("--rate", type=float, default=5000, help="requests/s the pool must last for")
    p.add_argument("--keys-per-body", type=int, default=5)
    p.add_argument("--tag", required=True, help="subdirectory of upload/ to write")
    p.add_argument("--processes", type=int, default=0, help="signing processes (0: all cores)")
    p.add_argument("--parallel", type=int, default=8, help="concurrent device creations")
    p.set_defaults(func=cmd_upload_pool)

    p = sub.add_parser("record", help="append wrk's result line to results.jsonl")
    p.add_argument("--run-dir", required=True)
    p.add_argument("--wrk-log", required=True)
    p.add_argument("--prep-ms", type=int, default=0, help="untimed preparation it took")
    p.add_argument("--started-at", help="when wrk started (UTC), to line up with other logs")
    p.add_argument("--target", default="server", help="the server's name in the results")
    p.add_argument("--round", type=int, default=1)
    p.add_argument("--results", help="results file to append to (default RUN_DIR/results.jsonl)")
    p.add_argument("--cpu-before", help="cpu-sample file taken before the run")
    p.add_argument("--cpu-after", help="cpu-sample file taken after the run")
    p.set_defaults(func=cmd_record)

    p = sub.add_parser("cpu-sample", help="write the CPU ticks of the PIDs a command prints")
    p.add_argument("--pids-command", required=True)
    p.add_argument("--out", required=True)
    p.set_defaults(func=cmd_cpu_sample)

    p = sub.add_parser("results", help="write the results document and print the tables")
    p.add_argument("--results", required=True, help="the results.jsonl that record appended to")
    p.add_argument("--targets", nargs="+", required=True, metavar="NAME=RUN_DIR=SEED_MS")
    p.add_argument("--out", required=True)
    p.add_argument("--meta", nargs="*", default=[], metavar="KEY=VALUE")
    p.set_defaults(func=cmd_results)

    args = parser.parse_args()
    args.func(args)


if __name__ == "__main__":
    main()

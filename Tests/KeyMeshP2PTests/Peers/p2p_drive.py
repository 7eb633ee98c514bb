#!/usr/bin/env python3
"""Runs one authoriser and one joiner (docs/P2P.md §7) and carries the code between them.

Usage: p2p_drive.py --authorize 'CMD ...' --join 'CMD ...' [--timeout S] [--tamper none|vcs|vcm|format]

Each command is a shell-like command line (split with shlex, no shell) that speaks the
p2p_peer.py stdout protocol: the authoriser prints {"event":"request","code":...}, the joiner
prints {"event":"waiting-for-code"} and reads the code from stdin. `--tamper` changes the
code typed on the joiner (vcs: first half, vcm: second half, format: a typing mistake then
the right code). Prints one JSON summary line; exit 0 when both processes exited as expected
(both 0 without tampering or with a typing mistake; both non-zero with vcs/vcm tampering: the
joiner aborts on a VCS mismatch, the authoriser aborts on a wrong VCM).
"""
import argparse
import json
import queue
import shlex
import subprocess
import sys
import threading
import time

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def reader(name, stream, out):
    for line in stream:
        out.put((name, line.rstrip("\n")))
    out.put((name, None))


def parse(line):
    try:
        event = json.loads(line)
        return event if isinstance(event, dict) else {"raw": line}
    except ValueError:
        return {"raw": line}


def flip(symbols: str) -> str:
    first = ALPHABET[(ALPHABET.index(symbols[0]) + 1) % 32]
    return first + symbols[1:]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--authorize", required=True)
    parser.add_argument("--join", required=True)
    parser.add_argument("--timeout", type=float, default=120)
    parser.add_argument("--tamper", choices=["none", "vcs", "vcm", "format"], default="none")
    args = parser.parse_args()

    start = time.time()
    lines = queue.Queue()
    procs = {}
    # The joiner first: its requests wait on the server until the authoriser syncs.
    events = {"joiner": [], "authoriser": []}
    open_streams = {"joiner", "authoriser"}
    for name, cmd in (("joiner", args.join), ("authoriser", args.authorize)):
        procs[name] = subprocess.Popen(shlex.split(cmd), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                       stderr=subprocess.PIPE, text=True, bufsize=1)
        threading.Thread(target=reader, args=(name, procs[name].stdout, lines), daemon=True).start()
        while name == "joiner":  # wait until the joiner has sent its requests
            try:
                _, line = lines.get(timeout=max(0.1, start + args.timeout - time.time()))
            except queue.Empty:
                line = None
            if line is None:
                open_streams.discard("joiner")
                break
            events["joiner"].append(parse(line))
            if events["joiner"][-1].get("event") == "waiting-for-code":
                break
    code = None
    typed = None
    deadline = start + args.timeout
    while open_streams and time.time() < deadline:
        try:
            who, line = lines.get(timeout=max(0.1, deadline - time.time()))
        except queue.Empty:
            break
        if line is None:
            open_streams.discard(who)
            continue
        event = parse(line)
        events[who].append(event)
        if who == "authoriser" and event.get("event") == "request" and code is None:
            code = event["code"]
            vcs, vcm = code.split("-")
            if args.tamper == "vcs":
                typed = [flip(vcs) + "-" + vcm]
            elif args.tamper == "vcm":
                typed = [vcs + "-" + flip(vcm)]
            elif args.tamper == "format":
                typed = [code[:-1], code.lower().replace("-", " ")]
            else:
                typed = [code]
            for t in typed:
                procs["joiner"].stdin.write(t + "\n")
            procs["joiner"].stdin.flush()
    result = {}
    for name, proc in procs.items():
        try:
            rc = proc.wait(timeout=max(1, deadline - time.time()))
        except subprocess.TimeoutExpired:
            proc.kill()
            rc = proc.wait()
        result[name] = {"rc": rc, "events": events[name], "stderr": proc.stderr.read().strip()[-2000:]}
    j, a = result["joiner"]["rc"], result["authoriser"]["rc"]
    if args.tamper in ("none", "format"):
        ok = j == 0 and a == 0
    else:
        ok = j != 0 and a != 0
    summary = {"ok": ok, "tamper": args.tamper, "code": code, "typed": typed,
               "seconds": round(time.time() - start, 3), **result}
    print(json.dumps(summary))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()

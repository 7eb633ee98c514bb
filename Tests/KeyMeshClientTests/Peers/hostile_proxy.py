#!/usr/bin/env python3
"""A hostile homeserver: a man in the middle between KeyMesh clients and `keymesh serve`.

Usage:
  hostile_proxy.py proxy --port P --upstream URL --log FILE --mode MODE [--record FILE] [--old-record FILE]
  hostile_proxy.py drain --server URL --state DIR --user LOCAL --device D --save-record FILE [--timeout S]

`proxy` forwards every request to URL and relays the answer, after MODE rewrote it
(docs/P2P.md §1: the operator reads, drops, replays and rewrites what it stores or forwards):

  pass            nothing changed
  swap-digests    pool records read (GET account data, /sync account_data): every keys[].digest
                  becomes the digest of an attacker X25519 key (the signature is left as it was)
  old-record      GETs of the pool record of the device whose record is in --old-record answer that
                  stale (genuinely signed) record instead of the current one
  swap-ephemeral  a `sessionresponse` delivered by /sync gets an attacker `dstkey`
  swap-srckey     a `sessionrequest` delivered by /sync gets an attacker `srckey`
  record          like pass; every P2P event delivered by /sync is appended to --record
  replay          every P2P event delivered is delivered twice; every event in --record is
                  re-delivered (in front) in each /sync of its addressee; and the first `authproof`
                  in --record is re-addressed to each new session the proxy sees answered (same
                  ciphertext, the new session's ids and sequence 2)
  mitm            a full man in the middle between --joiner and --authoriser (hostile_mitm.py)

Every P2P to-device message seen is logged as one JSON line:
  {"kind":"message","dir":"send"|"deliver","device":<whose request>,"type":…,"src":…,"dst":…,
   "srckeyid":…,"dstkeyid":…,"sequence":…,"status":…,"message":…,"injected":<why, if injected>}
and every rewrite as {"kind":"action","action":…}.

`drain` is the operator acting as a device of the user (it knows the password, KEYMESH_PASSWORD):
it logs in as a new device, saves D's current pool record to --save-record, sends one `rotation`
`sessionrequest` per key of that record, then syncs until D answered them all (or --timeout) and
prints {"event":"drained","okay":N,"fail":M}. Once D synced, every key of the saved record is consumed.
"""
import argparse
import http.client
import http.server
import json
import os
import re
import signal
import sys
import threading
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "KeyMeshP2PTests", "Peers"))
import p2p_peer  # noqa: E402  (docs/P2P.md encodings and the test device)
from hostile_mitm import Mitm  # noqa: E402

PROTO = p2p_peer.PROTO
POOL_PATH = re.compile(r"/account_data/org\.keymesh\.p2p\.v1\.pool\.([^/?]+)$")
MAX_BODY = 16 * 1024 * 1024


class State:
    """What the proxy shares between its request threads."""

    def __init__(self, args):
        self.args = args
        self.lock = threading.Lock()
        self.devices = {}  # access token -> device id (whoami)
        self.attacker_secret, self.attacker_public = p2p_peer.x_keypair()
        self.old_record = None
        if args.old_record:
            with open(args.old_record, encoding="utf-8") as f:
                self.old_record = json.load(f)
        self.recorded = []
        if args.mode == "replay" and args.record:
            with open(args.record, encoding="utf-8") as f:
                self.recorded = [json.loads(line) for line in f if line.strip()]
        self.forged = {}  # device id -> (event, why) to put in front of its next /sync
        self.mitm = Mitm(args.joiner, args.authoriser, lambda device, event: self.inject(device, event, "mitm"),
                         self.log, args.impostors) if args.mode == "mitm" else None

    def inject(self, device, event, why):
        with self.lock:
            self.forged.setdefault(device, []).append((event, why))

    def log(self, entry):
        with self.lock, open(self.args.log, "a", encoding="utf-8") as f:
            f.write(json.dumps(entry, sort_keys=True) + "\n")

    def log_message(self, direction, device, content, injected=None):
        if not isinstance(content, dict):
            return
        body = content.get("body") if isinstance(content.get("body"), dict) else {}
        entry = {"kind": "message", "dir": direction, "device": device, "type": content.get("type"),
                 "src": content.get("srcclientid"), "dst": content.get("dstclientid"),
                 "srckeyid": content.get("srckeyid"), "dstkeyid": content.get("dstkeyid"),
                 "sequence": content.get("sequence"), "status": body.get("status"), "message": body.get("message")}
        if injected:
            entry["injected"] = injected
        self.log(entry)


def upstream_call(state, method, path, headers, body):
    parsed = urllib.parse.urlsplit(state.args.upstream)
    conn = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=180)
    try:
        conn.request(method, path, body=body, headers=headers)
        resp = conn.getresponse()
        return resp.status, resp.getheaders(), resp.read()
    finally:
        conn.close()


def device_of(state, token):
    """The device id behind an access token (asked once with whoami)."""
    if not token:
        return None
    with state.lock:
        if token in state.devices:
            return state.devices[token]
    status, _, raw = upstream_call(state, "GET", "/_matrix/client/v3/account/whoami",
                                   {"Authorization": "Bearer " + token}, None)
    device = json.loads(raw).get("device_id") if status == 200 else None
    with state.lock:
        state.devices[token] = device
    return device


def swap_digests(state, record):
    if isinstance(record, dict) and isinstance(record.get("keys"), list):
        for entry in record["keys"]:
            if isinstance(entry, dict):
                entry["digest"] = p2p_peer.digest(state.attacker_public)
        state.log({"kind": "action", "action": "swap-digests", "device_id": record.get("device_id")})
    return record


def rewrite_record(state, device_id, record):
    mode = state.args.mode
    if mode == "swap-digests":
        return swap_digests(state, record)
    if mode == "old-record" and state.old_record and state.old_record.get("device_id") == device_id:
        state.log({"kind": "action", "action": "old-record", "device_id": device_id})
        return json.loads(json.dumps(state.old_record))
    return record


def p2p_events(answer):
    events = (answer.get("to_device") or {}).get("events")
    return events if isinstance(events, list) else []


def forge_proof(state, response):
    """The recorded authproof, re-addressed to the session `response` (sent by its responder) opens."""
    old = next((e for e in state.recorded if e.get("content", {}).get("type") == "authproof"), None)
    if old is None or (response.get("body") or {}).get("status") != "okay":
        return
    forged = dict(old["content"], srcclientid=response["dstclientid"], srckeyid=response["dstkeyid"],
                  dstclientid=response["srcclientid"], dstkeyid=response["srckeyid"], sequence=2)
    state.inject(response["srcclientid"], {"sender": old.get("sender"), "type": PROTO, "content": forged}, "authproof-rewritten")


def rewrite_sync(state, device, answer):
    mode = state.args.mode
    if mode == "swap-digests":
        for event in ((answer.get("account_data") or {}).get("events") or []):
            if isinstance(event, dict) and str(event.get("type", "")).startswith(PROTO + ".pool."):
                swap_digests(state, event.get("content"))
    events = p2p_events(answer)
    with state.lock:
        out = state.forged.pop(device, [])
    if mode == "replay":
        for event in state.recorded:
            if event.get("content", {}).get("dstclientid") == device:
                out.append((json.loads(json.dumps(event)), "replayed"))
    for event in events:
        content = event.get("content") if isinstance(event, dict) else None
        if event.get("type") != PROTO or not isinstance(content, dict):
            out.append((event, None))
            continue
        body = content.get("body")
        if mode == "swap-ephemeral" and content.get("type") == "sessionresponse" and isinstance(body, dict) and "dstkey" in body:
            body["dstkey"] = p2p_peer.b64(state.attacker_public)
            state.log({"kind": "action", "action": "swap-ephemeral", "device": device})
        if mode == "swap-srckey" and content.get("type") == "sessionrequest" and isinstance(body, dict) and "srckey" in body:
            body["srckey"] = p2p_peer.b64(state.attacker_public)
            state.log({"kind": "action", "action": "swap-srckey", "device": device})
        if mode == "record" and state.args.record:
            with state.lock, open(state.args.record, "a", encoding="utf-8") as f:
                f.write(json.dumps(event, sort_keys=True) + "\n")
        out.append((event, None))
        if mode == "replay":
            out.append((json.loads(json.dumps(event)), "duplicate"))
    for event, injected in out:
        if event.get("type") == PROTO:
            state.log_message("deliver", device, event.get("content"), injected)
    if out:
        answer.setdefault("to_device", {})["events"] = [event for event, _ in out]
    return answer


class Handler(http.server.BaseHTTPRequestHandler):
    state = None

    def log_message(self, *args):  # quiet: the log file is the record
        pass

    def relay(self):
        state = self.state
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            self.send_error(413)
            return
        body = self.rfile.read(length) if length else None
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection", "accept-encoding", "content-length")}
        token = (self.headers.get("Authorization") or "").removeprefix("Bearer ").strip() or None
        path = urllib.parse.unquote(urllib.parse.urlsplit(self.path).path)
        device = device_of(state, token) if token and "/whoami" not in path else None
        if self.command == "PUT" and "/sendToDevice/" + PROTO + "/" in path and body:
            try:
                sent = json.loads(body)
                for user_id, per_user in sent.get("messages", {}).items():
                    for target, content in list(per_user.items()):
                        state.log_message("send", device, content)
                        if state.args.mode == "replay" and isinstance(content, dict) and content.get("type") == "sessionresponse":
                            forge_proof(state, content)
                        fetch = lambda dev: self.fetch_record(headers, user_id, dev)  # noqa: E731
                        if state.mitm and state.mitm.outgoing(device, user_id, content, fetch):
                            del per_user[target]
                body = json.dumps(sent).encode()
            except (ValueError, AttributeError):
                pass
        status, resp_headers, raw = upstream_call(state, self.command, self.path, headers, body)
        pool = POOL_PATH.search(path)
        if state.mitm and pool and self.command == "GET" and pool.group(1) in state.mitm.extra:
            status, resp_headers, raw = 200, [("Content-Type", "application/json")], b"{}"  # a device the server made up
        if status == 200:
            raw = self.rewrite(path, device, raw)
        self.send_response(status)
        for name, value in resp_headers:
            if name.lower() not in ("content-length", "transfer-encoding", "connection", "content-encoding"):
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(raw)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(raw)

    def rewrite(self, path, device, raw):
        try:
            answer = json.loads(raw)
        except ValueError:
            return raw
        if not isinstance(answer, dict):
            return raw
        pool = POOL_PATH.search(path)
        if self.command == "GET" and pool and self.state.mitm:
            answer = self.state.mitm.record(device, pool.group(1), answer)
        elif self.command == "POST" and path.endswith("/keys/query") and self.state.mitm:
            answer = self.state.mitm.query(device, answer)
        elif self.command == "GET" and pool:
            answer = rewrite_record(self.state, pool.group(1), answer)
        elif self.command == "GET" and path.endswith("/sync"):
            answer = rewrite_sync(self.state, device, answer)
        else:
            return raw
        return json.dumps(answer).encode()

    def fetch_record(self, headers, user_id, device_id):
        """A pool record as the server holds it (the attacker reads what it stores)."""
        path = f"/_matrix/client/v3/user/{urllib.parse.quote(user_id)}/account_data/{PROTO}.pool.{device_id}"
        auth = {"Authorization": headers.get("Authorization", "")}
        return json.loads(upstream_call(self.state, "GET", path, auth, None)[2])

    do_GET = do_PUT = do_POST = do_DELETE = relay


def serve(args):
    # a child of a test process inherits its blocked signals: SIGTERM must end the proxy
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    Handler.state = State(args)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    server.serve_forever()


def drain(args):
    """The operator's own device consumes every key of D's current pool record (docs/P2P.md §3, §9)."""
    peer = p2p_peer.Peer(args.server, args.state)
    peer.login(args.user)
    devices = peer.valid_devices(peer.query_self())
    record = peer.fetch_record(args.device)
    if record is None:
        raise p2p_peer.PeerError(f"{args.device} has no pool record")
    with open(args.save_record, "w", encoding="utf-8") as f:
        json.dump(record, f)
    asked = []
    for _ in record["keys"]:
        name = peer.start_session(args.device, "rotation", devices, exclude_kids=asked)
        if name is None:
            break
        asked.append(peer.state["sessions"][name]["peer_kid"])
    p2p_peer.emit({"event": "sent", "count": len(asked)})
    okay = fail = 0
    since = None
    deadline = time.time() + args.timeout
    while okay + fail < len(asked) and time.time() < deadline:
        query = {"timeout": "2000"} | ({"since": since} if since else {})
        answer = peer.http.ok("GET", "/_matrix/client/v3/sync", query=query, timeout=60)
        since = answer.get("next_batch")
        for event in p2p_events(answer):
            content = event.get("content") or {}
            if content.get("type") == "sessionresponse" and content.get("dstclientid") == peer.device_id:
                if (content.get("body") or {}).get("status") == "okay":
                    okay += 1
                else:
                    fail += 1
    p2p_peer.emit({"event": "drained", "okay": okay, "fail": fail, "device_id": peer.device_id})


def main():
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    proxy = sub.add_parser("proxy")
    proxy.add_argument("--port", type=int, required=True)
    proxy.add_argument("--upstream", required=True)
    proxy.add_argument("--log", required=True)
    proxy.add_argument("--mode", required=True, choices=["pass", "swap-digests", "old-record", "swap-ephemeral",
                                                          "swap-srckey", "record", "replay", "mitm"])
    proxy.add_argument("--record")
    proxy.add_argument("--old-record")
    proxy.add_argument("--joiner")
    proxy.add_argument("--authoriser")
    proxy.add_argument("--impostors", type=int, default=0)
    drainer = sub.add_parser("drain")
    drainer.add_argument("--server", required=True)
    drainer.add_argument("--state", required=True)
    drainer.add_argument("--user", required=True)
    drainer.add_argument("--device", required=True)
    drainer.add_argument("--save-record", required=True)
    drainer.add_argument("--timeout", type=float, default=60)
    args = parser.parse_args()
    try:
        serve(args) if args.command == "proxy" else drain(args)
    except (p2p_peer.PeerError, OSError) as exc:
        sys.stderr.write(f"error: {exc}\n")
        sys.exit(1)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""A Matrix device speaking org.keymesh.p2p.v1, written from docs/P2P.md alone.

Usage: p2p_peer.py --server URL --state DIR <command> [options]
  register --user LOCAL        register, device keys, cross-signing keys, pool record
  login --user LOCAL           password login as a new device, device keys, pool record
  join [--timeout S]           joiner (docs/P2P.md §7); reads the code from stdin
  authorize [--timeout S]      authoriser (docs/P2P.md §7)
  listen [--timeout S]         answer rotation requests, accept rotations (docs/P2P.md §9)
  revoke --device D [--reset-master] [--timeout S]   revoke D and hand new secrets over (§9)
  status                       print the device id and the cross-signing keys held

The password comes from KEYMESH_PASSWORD. JSON lines on stdout; errors are one
`error: ...` line on stderr and exit status 1. Secrets live in DIR/state.json (a test peer:
the file is not sealed).
"""
import argparse
import base64
import hashlib
import hmac
import json
import os
import secrets
import select
import struct
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

import nacl.exceptions
import nacl.signing
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

PROTO = "org.keymesh.p2p.v1"
POOL_TYPE = PROTO + ".pool."
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
POOL_SIZE = 10
KEY_LIFETIME_MS = 7 * 24 * 3600 * 1000
NOMINATE_MARGIN_MS = 60 * 1000
SESSION_LIFETIME_MS = 10 * 60 * 1000
WAITING_JOIN_MS = 10 * 60 * 1000
MAX_WAITING_JOINS = 16
MAX_MESSAGE_BYTES = 64 * 1024
MAX_DEPTH = 16
PLAIN_TYPES = ("sessionrequest", "sessionresponse")
SEALED_TYPES = ("authproof", "authgrant", "rotation", "abort")
MAX_SEQUENCE = 2 ** 53 - 1


class PeerError(Exception):
    pass


class ProtocolError(Exception):
    """A message refused (docs/P2P.md §10): dropped, no state changes."""


# ---------------------------------------------------------------- encodings (§2)

def b64(data: bytes) -> str:
    return base64.b64encode(data).decode().rstrip("=")


def unb64(text, size=None) -> bytes:
    if not isinstance(text, str):
        raise ProtocolError("not base64 text")
    try:
        data = base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
    except (ValueError, base64.binascii.Error) as exc:
        raise ProtocolError("bad base64") from exc
    if size is not None and len(data) != size:
        raise ProtocolError("wrong length")
    return data


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def lp(s: str) -> bytes:
    data = s.encode("utf-8")
    if len(data) > 0xFFFF:
        raise ProtocolError("string too long")
    return struct.pack(">H", len(data)) + data


def u64(n: int) -> bytes:
    return struct.pack(">Q", n)


def canonical(obj) -> bytes:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def now_ms() -> int:
    return int(time.time() * 1000)


def emit(obj) -> None:
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def note(text: str) -> None:
    if os.environ.get("P2P_PEER_DEBUG"):
        sys.stderr.write("debug: " + text + "\n")
        sys.stderr.flush()


def is_id(value) -> bool:
    if not isinstance(value, str):
        return False
    data = value.encode("utf-8")
    return 1 <= len(data) <= 255 and all(0x21 <= c <= 0x7E for c in data)


# ---------------------------------------------------------------- crypto

def x_keypair():
    secret = X25519PrivateKey.generate().private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption())
    return secret, x_pub(secret)


def x_pub(secret: bytes) -> bytes:
    return X25519PrivateKey.from_private_bytes(secret).public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def dh(secret: bytes, public: bytes) -> bytes:
    try:
        out = X25519PrivateKey.from_private_bytes(secret).exchange(X25519PublicKey.from_public_bytes(public))
    except ValueError as exc:
        raise ProtocolError("low-order public key") from exc
    if out == bytes(32):
        raise ProtocolError("low-order public key")
    return out


def digest(public: bytes) -> str:
    return b64(hashlib.sha256(public).digest())


def ed_pub(seed: bytes) -> str:
    return b64(bytes(nacl.signing.SigningKey(seed).verify_key))


def sign_obj(obj: dict, seed: bytes) -> str:
    unsigned = {k: v for k, v in obj.items() if k not in ("signatures", "unsigned")}
    return b64(nacl.signing.SigningKey(seed).sign(canonical(unsigned)).signature)


def add_signature(obj: dict, user_id: str, key_id: str, seed: bytes) -> dict:
    sig = sign_obj(obj, seed)
    out = {k: v for k, v in obj.items() if k != "unsigned"}
    sigs = dict(out.get("signatures") or {})
    sigs[user_id] = dict(sigs.get(user_id) or {})
    sigs[user_id][key_id] = sig
    out["signatures"] = sigs
    return out


def verify_obj(obj: dict, user_id: str, key_id: str, public_b64: str) -> bool:
    try:
        sig = unb64(obj["signatures"][user_id][key_id], 64)
        key = nacl.signing.VerifyKey(unb64(public_b64, 32))
        unsigned = {k: v for k, v in obj.items() if k not in ("signatures", "unsigned")}
        key.verify(canonical(unsigned), sig)
        return True
    except (KeyError, TypeError, ProtocolError, nacl.exceptions.BadSignatureError, ValueError):
        return False


def derive(user_id, purpose, a_dev, a_kid, a_ip, a_ep, b_dev, b_kid, b_ip, b_ep, ikm):
    """docs/P2P.md §6: salt, OKM and the four keys."""
    salt = hashlib.sha256(PROTO.encode() + lp(user_id) + lp(purpose)
                          + lp(a_dev) + lp(a_kid) + a_ip + a_ep
                          + lp(b_dev) + lp(b_kid) + b_ip + b_ep).digest()
    okm = HKDF(algorithm=hashes.SHA256(), length=128, salt=salt,
               info=b"org.keymesh.p2p.v1 session").derive(ikm)
    return okm[0:32], okm[32:64], okm[64:96], okm[96:128]


def verifier(k_confirm: bytes) -> bytes:
    return hmac.new(k_confirm, b"org.keymesh.p2p.v1 responder", hashlib.sha256).digest()


def symbols(value25: int) -> str:
    return "".join(ALPHABET[(value25 >> (20 - 5 * i)) & 31] for i in range(5))


def vcs_of(k_code: bytes) -> str:
    return symbols(struct.unpack(">I", k_code[:4])[0] >> 7)


def parse_code(text: str):
    """docs/P2P.md §7 step 3: None on a typing mistake."""
    cleaned = text.upper().replace(" ", "").replace("-", "").replace("\t", "")
    cleaned = cleaned.replace("O", "0").replace("I", "1").replace("L", "1")
    if len(cleaned) != 10 or any(c not in ALPHABET for c in cleaned):
        return None
    return cleaned[:5], cleaned[5:]


def header_ad(h: dict) -> bytes:
    return (PROTO.encode() + lp(h["type"]) + lp(h["srcclientid"]) + lp(h["srckeyid"])
            + lp(h["dstclientid"]) + lp(h["dstkeyid"]) + u64(h["sequence"]))


def seal(key: bytes, h: dict, body: dict) -> str:
    nonce = bytes(4) + u64(h["sequence"])
    return b64(ChaCha20Poly1305(key).encrypt(nonce, canonical(body), header_ad(h)))


def unseal(key: bytes, h: dict, ciphertext: str) -> dict:
    data = unb64(ciphertext)
    try:
        plain = ChaCha20Poly1305(key).decrypt(bytes(4) + u64(h["sequence"]), data, header_ad(h))
    except InvalidTag as exc:
        raise ProtocolError("tag failed") from exc
    try:
        body = json.loads(plain.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise ProtocolError("plaintext is not JSON") from exc
    if not isinstance(body, dict):
        raise ProtocolError("plaintext is not a JSON object")
    return body


def depth(obj, level=1) -> int:
    if isinstance(obj, dict):
        return max([level] + [depth(v, level + 1) for v in obj.values()])
    if isinstance(obj, list):
        return max([level] + [depth(v, level + 1) for v in obj])
    return level - 1 if level > 1 else 0


def parse_message(content, my_device: str) -> dict:
    """docs/P2P.md §4 header checks; returns the header dict."""
    if not isinstance(content, dict):
        raise ProtocolError("content is not an object")
    if len(canonical(content)) > MAX_MESSAGE_BYTES:
        raise ProtocolError("message too large")
    if depth(content) > MAX_DEPTH:
        raise ProtocolError("message too deep")
    version = content.get("version")
    if type(version) is not int or version != 1:
        raise ProtocolError("version")
    h = {"version": 1}
    for name in ("srcclientid", "srckeyid", "dstclientid", "dstkeyid"):
        if not is_id(content.get(name)):
            raise ProtocolError("bad " + name)
        h[name] = content[name]
    seq = content.get("sequence")
    if type(seq) is not int or not 1 <= seq <= MAX_SEQUENCE:
        raise ProtocolError("bad sequence")
    h["sequence"] = seq
    typ = content.get("type")
    if typ not in PLAIN_TYPES + SEALED_TYPES:
        raise ProtocolError("unknown type")
    h["type"] = typ
    if typ in PLAIN_TYPES:
        if not isinstance(content.get("body"), dict) or "ciphertext" in content:
            raise ProtocolError("plain message without body")
    elif not isinstance(content.get("ciphertext"), str) or "body" in content:
        raise ProtocolError("sealed message without ciphertext")
    if h["dstclientid"] != my_device:
        raise ProtocolError("not for this device")
    return h


# ---------------------------------------------------------------- HTTP

class Client:
    def __init__(self, server: str, token=None):
        self.server = server.rstrip("/")
        self.token = token

    def call(self, method, path, body=None, query=None, timeout=60, auth=True):
        url = self.server + path
        if query:
            url += "?" + urllib.parse.urlencode(query)
        data = None if body is None else json.dumps(body).encode()
        for _ in range(20):
            req = urllib.request.Request(url, data=data, method=method)
            if data is not None:
                req.add_header("Content-Type", "application/json")
            if auth and self.token:
                req.add_header("Authorization", "Bearer " + self.token)
            try:
                with urllib.request.urlopen(req, timeout=timeout) as resp:
                    return resp.status, json.loads(resp.read() or b"{}")
            except urllib.error.HTTPError as exc:
                raw = exc.read()
                try:
                    answer = json.loads(raw or b"{}")
                except ValueError:
                    answer = {"error": raw[:200].decode("utf-8", "replace")}
                if exc.code == 429:
                    time.sleep(min(answer.get("retry_after_ms", 500), 5000) / 1000)
                    continue
                return exc.code, answer
            except (urllib.error.URLError, ConnectionError, TimeoutError) as exc:
                raise PeerError(f"{method} {path}: {exc}") from exc
        raise PeerError(f"{method} {path}: still rate limited")

    def ok(self, method, path, body=None, **kw):
        status, answer = self.call(method, path, body, **kw)
        if status != 200:
            raise PeerError(f"{method} {path}: {status} {answer.get('errcode')} {answer.get('error')}")
        return answer

    def with_password(self, method, path, body, user_id, password):
        """User-interactive auth: answer m.login.password if the server asks."""
        status, answer = self.call(method, path, body)
        if status == 401 and "flows" in answer:
            body = dict(body)
            body["auth"] = {"type": "m.login.password", "password": password, "session": answer.get("session"),
                            "identifier": {"type": "m.id.user", "user": user_id}, "user": user_id}
            status, answer = self.call(method, path, body)
        if status != 200:
            raise PeerError(f"{method} {path}: {status} {answer.get('errcode')} {answer.get('error')}")
        return answer


def q(s: str) -> str:
    return urllib.parse.quote(s, safe="")


# ---------------------------------------------------------------- the device

class Peer:
    def __init__(self, server: str, state_dir: str):
        self.state_dir = state_dir
        self.path = os.path.join(state_dir, "state.json")
        self.state = {}
        if os.path.exists(self.path):
            with open(self.path, encoding="utf-8") as f:
                self.state = json.load(f)
        self.http = Client(server, self.state.get("access_token"))
        self.password = os.environ.get("KEYMESH_PASSWORD")
        self.txn = 0

    # ---- persistence
    def save(self):
        os.makedirs(self.state_dir, exist_ok=True)
        tmp = self.path + ".tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(self.state, f, indent=1, sort_keys=True)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.path)

    @property
    def user_id(self):
        return self.state["user_id"]

    @property
    def device_id(self):
        return self.state["device_id"]

    def need_login(self):
        if "access_token" not in self.state:
            raise PeerError("no account in this state directory (register or login first)")

    def need_password(self):
        if not self.password:
            raise PeerError("KEYMESH_PASSWORD is not set")
        return self.password

    # ---- account setup
    def register(self, local: str):
        password = self.need_password()
        body = {"username": local, "password": password, "initial_device_display_name": "p2p_peer"}
        status, answer = self.http.call("POST", "/_matrix/client/v3/register", body, auth=False)
        if status == 401 and "session" in answer:
            body["auth"] = {"type": "m.login.dummy", "session": answer["session"]}
            status, answer = self.http.call("POST", "/_matrix/client/v3/register", body, auth=False)
        if status != 200:
            raise PeerError(f"register: {status} {answer.get('errcode')} {answer.get('error')}")
        self.new_device(answer)
        self.upload_device_keys()
        self.create_cross_signing()
        self.sign_device_with_ssk(self.device_id, self.own_device_keys())
        self.maintain_pool(force=True)
        self.save()
        emit({"event": "registered", "user_id": self.user_id, "device_id": self.device_id,
              "master_key": self.cs_pub("master")})

    def login(self, local: str):
        password = self.need_password()
        body = {"type": "m.login.password", "identifier": {"type": "m.id.user", "user": local},
                "password": password, "initial_device_display_name": "p2p_peer"}
        answer = self.http.ok("POST", "/_matrix/client/v3/login", body, auth=False)
        self.new_device(answer)
        self.upload_device_keys()
        self.maintain_pool(force=True)
        self.save()
        emit({"event": "logged-in", "user_id": self.user_id, "device_id": self.device_id})

    def new_device(self, answer):
        ed_seed = secrets.token_bytes(32)
        curve_secret, _ = x_keypair()
        identity_secret, _ = x_keypair()
        self.state = {"user_id": answer["user_id"], "device_id": answer["device_id"],
                      "access_token": answer["access_token"], "ed25519_seed": ed_seed.hex(),
                      "curve25519_secret": curve_secret.hex(), "identity_secret": identity_secret.hex(),
                      "pool": [], "consumed": [], "sessions": {}, "waiting_joins": [],
                      "handovers": {}, "since": None, "cross_signing": None}
        self.http.token = answer["access_token"]
        self.save()

    def device_keys_obj(self):
        dev = self.device_id
        obj = {"user_id": self.user_id, "device_id": dev,
               "algorithms": ["m.olm.v1.curve25519-aes-sha2"],
               "keys": {"curve25519:" + dev: b64(x_pub(bytes.fromhex(self.state["curve25519_secret"]))),
                        "ed25519:" + dev: ed_pub(bytes.fromhex(self.state["ed25519_seed"]))}}
        return add_signature(obj, self.user_id, "ed25519:" + dev, bytes.fromhex(self.state["ed25519_seed"]))

    def upload_device_keys(self):
        self.http.ok("POST", "/_matrix/client/v3/keys/upload", {"device_keys": self.device_keys_obj()})

    def cs_pub(self, name):
        cs = self.state.get("cross_signing")
        return ed_pub(bytes.fromhex(cs[name])) if cs else None

    def cs_seed(self, name) -> bytes:
        return bytes.fromhex(self.state["cross_signing"][name])

    def cs_object(self, usage, seed, master_seed):
        pub = ed_pub(seed)
        obj = {"user_id": self.user_id, "usage": [usage], "keys": {"ed25519:" + pub: pub}}
        if usage != "master":
            obj = add_signature(obj, self.user_id, "ed25519:" + ed_pub(master_seed), master_seed)
        return obj

    def create_cross_signing(self):
        seeds = {n: secrets.token_bytes(32) for n in ("master", "self_signing", "user_signing")}
        self.upload_cross_signing(seeds, include_master=True)
        self.state["cross_signing"] = {n: s.hex() for n, s in seeds.items()}
        self.save()

    def upload_cross_signing(self, seeds, include_master):
        body = {"self_signing_key": self.cs_object("self_signing", seeds["self_signing"], seeds["master"]),
                "user_signing_key": self.cs_object("user_signing", seeds["user_signing"], seeds["master"])}
        if include_master:
            body["master_key"] = self.cs_object("master", seeds["master"], seeds["master"])
        self.http.with_password("POST", "/_matrix/client/v3/keys/device_signing/upload", body,
                                self.user_id, self.need_password())

    # ---- /keys/query
    def query_self(self):
        return self.http.ok("POST", "/_matrix/client/v3/keys/query",
                            {"device_keys": {self.user_id: []}, "timeout": 10000})

    def own_device_keys(self):
        return self.device_keys_obj()

    def valid_devices(self, answer) -> dict:
        """Devices of our user whose device keys are self-signed: device id -> device keys."""
        out = {}
        for dev, keys in ((answer.get("device_keys") or {}).get(self.user_id) or {}).items():
            if not isinstance(keys, dict) or keys.get("user_id") != self.user_id or keys.get("device_id") != dev:
                continue
            pub = (keys.get("keys") or {}).get("ed25519:" + dev)
            if isinstance(pub, str) and verify_obj(keys, self.user_id, "ed25519:" + dev, pub):
                out[dev] = keys
        return out

    def server_cs_keys(self, answer) -> dict:
        out = {}
        for name, section in (("master", "master_keys"), ("self_signing", "self_signing_keys"),
                              ("user_signing", "user_signing_keys")):
            obj = (answer.get(section) or {}).get(self.user_id)
            keys = list((obj or {}).get("keys", {}).values())
            out[name] = keys[0] if len(keys) == 1 else None
        return out

    def sign_device_with_ssk(self, dev, device_keys):
        ssk = self.cs_seed("self_signing")
        signed = add_signature({k: v for k, v in device_keys.items() if k != "signatures"},
                               self.user_id, "ed25519:" + ed_pub(ssk), ssk)
        answer = self.http.ok("POST", "/_matrix/client/v3/keys/signatures/upload",
                              {self.user_id: {dev: signed}})
        if answer.get("failures"):
            raise PeerError(f"signature upload refused: {json.dumps(answer['failures'])}")

    # ---- pool (§3)
    def maintain_pool(self, force=False):
        now = now_ms()
        before = len(self.state["pool"])
        self.state["pool"] = [k for k in self.state["pool"] if k["expires_ts"] > now]
        changed = force or len(self.state["pool"]) != before
        while len(self.state["pool"]) < POOL_SIZE:
            secret, public = x_keypair()
            self.state["pool"].append({"id": b64url(secrets.token_bytes(9)), "secret": secret.hex(),
                                       "public": b64(public), "expires_ts": now + KEY_LIFETIME_MS})
            changed = True
        if changed:
            self.save()
            self.publish_pool()

    def pool_record(self):
        record = {"algorithm": PROTO, "user_id": self.user_id, "device_id": self.device_id,
                  "identity_key": b64(x_pub(bytes.fromhex(self.state["identity_secret"]))),
                  "keys": [{"id": k["id"], "digest": digest(unb64(k["public"])), "expires_ts": k["expires_ts"]}
                           for k in self.state["pool"]]}
        return add_signature(record, self.user_id, "ed25519:" + self.device_id,
                             bytes.fromhex(self.state["ed25519_seed"]))

    def publish_pool(self):
        self.state["published_record"] = self.pool_record()
        self.http.ok("PUT", f"/_matrix/client/v3/user/{q(self.user_id)}/account_data/{q(POOL_TYPE + self.device_id)}",
                     self.state["published_record"])
        self.save()

    def consume_pool_key(self, kid):
        self.state["pool"] = [k for k in self.state["pool"] if k["id"] != kid]
        self.state["consumed"] = (self.state["consumed"] + [kid])[-1000:]
        self.maintain_pool(force=True)

    def check_record(self, record, device_id, devices) -> bytes:
        """docs/P2P.md §3 reader checks; returns the identity public key."""
        if not isinstance(record, dict):
            raise ProtocolError("record is not an object")
        if record.get("algorithm") != PROTO or record.get("user_id") != self.user_id:
            raise ProtocolError("record algorithm or user")
        if record.get("device_id") != device_id or device_id not in devices:
            raise ProtocolError("record device")
        pub = devices[device_id]["keys"]["ed25519:" + device_id]
        if not verify_obj(record, self.user_id, "ed25519:" + device_id, pub):
            raise ProtocolError("record signature")
        identity = unb64(record.get("identity_key"), 32)
        keys = record.get("keys")
        if not isinstance(keys, list) or len(keys) > POOL_SIZE:
            raise ProtocolError("record keys")
        for k in keys:
            if not (isinstance(k, dict) and is_id(k.get("id")) and isinstance(k.get("digest"), str)
                    and type(k.get("expires_ts")) is int):
                raise ProtocolError("record key entry")
        return identity

    def fetch_record(self, dev):
        status, answer = self.http.call(
            "GET", f"/_matrix/client/v3/user/{q(self.user_id)}/account_data/{q(POOL_TYPE + dev)}")
        return answer if status == 200 else None

    # ---- sessions
    def session_name(self, local_kid, peer_dev, peer_kid):
        return f"{local_kid}|{peer_dev}|{peer_kid}"

    def expire_sessions(self):
        now = now_ms()
        for name in [n for n, s in self.state["sessions"].items() if now - s["created_ms"] > SESSION_LIFETIME_MS]:
            del self.state["sessions"][name]
        self.state["waiting_joins"] = [w for w in self.state["waiting_joins"]
                                       if now - w["received_ms"] <= WAITING_JOIN_MS]

    def send(self, peer_dev, content):
        self.txn += 1
        txn = f"p2p{now_ms()}{secrets.token_hex(4)}{self.txn}"
        self.http.ok("PUT", f"/_matrix/client/v3/sendToDevice/{PROTO}/{txn}",
                     {"messages": {self.user_id: {peer_dev: content}}})

    def send_plain(self, sess_or_hdr, typ, body, seq, src_kid, dst_dev, dst_kid):
        h = {"version": 1, "srcclientid": self.device_id, "srckeyid": src_kid, "dstclientid": dst_dev,
             "dstkeyid": dst_kid, "sequence": seq, "type": typ}
        self.send(dst_dev, dict(h, body=body))

    def send_sealed(self, name, typ, body):
        s = self.state["sessions"][name]
        seq = s["send_seq"] + 1
        h = {"version": 1, "srcclientid": self.device_id, "srckeyid": s["local_kid"],
             "dstclientid": s["peer_dev"], "dstkeyid": s["peer_kid"], "sequence": seq, "type": typ}
        s["send_seq"] = seq
        self.save()
        self.send(s["peer_dev"], dict(h, ciphertext=seal(bytes.fromhex(s["k_send"]), h, body)))

    def close(self, name, reason=None):
        if name in self.state["sessions"]:
            if reason is not None and self.state["sessions"][name].get("established"):
                try:
                    self.send_sealed(name, "abort", {"reason": reason})
                except PeerError as exc:
                    note(f"abort not sent: {exc}")
            self.state["sessions"].pop(name, None)
            self.save()

    # initiator side (§5 step 1)
    def start_session(self, peer_dev, purpose, devices, exclude_kids=()):
        record = self.fetch_record(peer_dev)
        if record is None:
            return None
        try:
            identity = self.check_record(record, peer_dev, devices)
        except ProtocolError as exc:
            note(f"record of {peer_dev} refused: {exc}")
            return None
        limit = now_ms() + NOMINATE_MARGIN_MS
        usable = [k for k in record["keys"] if k["expires_ts"] >= limit and k["id"] not in exclude_kids]
        if not usable:
            return None
        entry = secrets.choice(usable)
        ae_secret, ae_public = x_keypair()
        a_kid = b64url(secrets.token_bytes(9))
        name = self.session_name(a_kid, peer_dev, entry["id"])
        self.state["sessions"][name] = {
            "role": "initiator", "purpose": purpose, "local_kid": a_kid, "peer_dev": peer_dev,
            "peer_kid": entry["id"], "peer_identity": b64(identity), "nominated_digest": entry["digest"],
            "ae_secret": ae_secret.hex(), "send_seq": 1, "recv_seq": 0, "created_ms": now_ms(),
            "established": False}
        self.save()
        body = {"purpose": purpose, "srckey": b64(ae_public), "dstkeydigest": entry["digest"],
                "record": self.state["published_record"]}
        self.send_plain(None, "sessionrequest", body, 1, a_kid, peer_dev, entry["id"])
        return name

    # responder side (§5 step 2)
    def answer_request(self, h, body, devices):
        """Returns the session name, or None after a fail response (no state kept)."""
        purpose = body.get("purpose")
        if purpose not in ("join", "rotation"):
            raise ProtocolError("purpose")
        ae_public = unb64(body.get("srckey"), 32)
        a_identity = self.check_record(body.get("record"), h["srcclientid"], devices)
        kid = h["dstkeyid"]
        entry = next((k for k in self.state["pool"] if k["id"] == kid and k["expires_ts"] > now_ms()), None)
        if entry is None or not hmac.compare_digest(digest(unb64(entry["public"])), str(body.get("dstkeydigest"))):
            self.send_plain(None, "sessionresponse", {"status": "fail", "message": "ephemeral key mismatch"},
                            1, kid, h["srcclientid"], h["srckeyid"])
            return None
        be_secret, be_public = bytes.fromhex(entry["secret"]), unb64(entry["public"])
        b_is = bytes.fromhex(self.state["identity_secret"])
        ikm = dh(be_secret, a_identity) + dh(b_is, ae_public) + dh(be_secret, ae_public)
        k_ab, k_ba, k_confirm, k_code = derive(self.user_id, purpose, h["srcclientid"], h["srckeyid"], a_identity,
                                               ae_public, self.device_id, kid, x_pub(b_is), be_public, ikm)
        name = self.session_name(kid, h["srcclientid"], h["srckeyid"])
        self.state["sessions"][name] = {
            "role": "responder", "purpose": purpose, "local_kid": kid, "peer_dev": h["srcclientid"],
            "peer_kid": h["srckeyid"], "k_send": k_ba.hex(), "k_recv": k_ab.hex(), "k_code": k_code.hex(),
            "send_seq": 1, "recv_seq": 1, "created_ms": now_ms(), "established": True,
            # the Ed25519 key that signed the request's record: the device to sign (§7 step 4)
            "peer_ed25519": devices[h["srcclientid"]]["keys"]["ed25519:" + h["srcclientid"]]}
        self.consume_pool_key(kid)  # erases the secret, refills, republishes
        self.send_plain(None, "sessionresponse", {"status": "okay", "message": "ephemeral key okay",
                                                  "dstkey": b64(be_public), "auth": b64(verifier(k_confirm))},
                        1, kid, h["srcclientid"], h["srckeyid"])
        return name

    # initiator side (§5 step 3)
    def accept_response(self, name, h, body):
        s = self.state["sessions"][name]
        if s["role"] != "initiator" or s["established"] or h["sequence"] != 1:
            raise ProtocolError("unexpected sessionresponse")
        if body.get("status") != "okay":
            self.state["sessions"].pop(name)
            self.save()
            return "fail"
        try:
            be_public = unb64(body.get("dstkey"), 32)
            if not hmac.compare_digest(digest(be_public), s["nominated_digest"]):
                raise ProtocolError("digest mismatch")
            ae_secret = bytes.fromhex(s["ae_secret"])
            a_is = bytes.fromhex(self.state["identity_secret"])
            b_ip = unb64(s["peer_identity"], 32)
            ikm = dh(a_is, be_public) + dh(ae_secret, b_ip) + dh(ae_secret, be_public)
            k_ab, k_ba, k_confirm, k_code = derive(self.user_id, s["purpose"], self.device_id, s["local_kid"],
                                                   x_pub(a_is), x_pub(ae_secret), s["peer_dev"], s["peer_kid"],
                                                   b_ip, be_public, ikm)
            if not hmac.compare_digest(verifier(k_confirm), unb64(body.get("auth"), 32)):
                raise ProtocolError("session verifier mismatch")
        except ProtocolError:
            self.state["sessions"].pop(name)  # any failure closes the session
            self.save()
            raise
        del s["ae_secret"]
        s.update({"k_send": k_ab.hex(), "k_recv": k_ba.hex(), "k_code": k_code.hex(), "recv_seq": 1,
                  "established": True})
        self.save()
        return "okay"

    # ---- event intake
    def sync(self, timeout_ms):
        query = {"timeout": str(timeout_ms)}
        if self.state.get("since"):
            query["since"] = self.state["since"]
        answer = self.http.ok("GET", "/_matrix/client/v3/sync", query=query, timeout=timeout_ms / 1000 + 60)
        events = (answer.get("to_device") or {}).get("events") or []
        return answer.get("next_batch"), events

    def pump(self, timeout_ms, handler):
        """One /sync; every P2P event goes through `handle`; acknowledges by storing the token."""
        self.expire_sessions()
        token, events = self.sync(timeout_ms)
        results = []
        for ev in events:
            if ev.get("type") != PROTO:
                continue
            if ev.get("sender") != self.user_id:
                note("dropped: sender is not our user")
                continue
            try:
                result = self.handle(ev.get("content"), handler)
                if result:
                    results.append(result)
            except ProtocolError as exc:
                note(f"dropped message: {exc}")
        if token:
            self.state["since"] = token
        self.save()
        return results, len(events)

    def handle(self, content, handler):
        h = parse_message(content, self.device_id)
        name = self.session_name(h["dstkeyid"], h["srcclientid"], h["srckeyid"])
        if h["type"] == "sessionrequest":
            if h["sequence"] != 1:
                raise ProtocolError("sessionrequest sequence")
            body = content["body"]
            if body.get("purpose") == "join":
                waiting = [w for w in self.state["waiting_joins"]
                           if not (w["header"] == h and w["body"] == body)]
                waiting.append({"header": h, "body": body, "received_ms": now_ms()})
                self.state["waiting_joins"] = waiting[-MAX_WAITING_JOINS:]
                self.save()
                return ("join-request", h)
            if body.get("purpose") == "rotation":
                devices = self.valid_devices(self.query_self())
                sess = self.answer_request(h, body, devices)
                return ("rotation-session", sess) if sess else None
            raise ProtocolError("purpose")
        s = self.state["sessions"].get(name)
        if s is None:
            raise ProtocolError("unknown session")
        if h["type"] == "sessionresponse":
            return ("response", name, self.accept_response(name, h, content["body"]))
        if not s["established"] or h["sequence"] != s["recv_seq"] + 1:
            raise ProtocolError("wrong sequence")
        body = unseal(bytes.fromhex(s["k_recv"]), h, content["ciphertext"])
        s["recv_seq"] = h["sequence"]
        self.save()
        if h["type"] == "abort":
            self.state["sessions"].pop(name, None)
            self.save()
            return ("abort", name, str(body.get("reason"))[:200])
        return (h["type"], name, body)

    # ---- commands
    def cmd_status(self):
        self.need_login()
        emit({"event": "status", "device_id": self.device_id, "master_key": self.cs_pub("master"),
              "self_signing_key": self.cs_pub("self_signing")})

    def cmd_join(self, timeout):
        self.need_login()
        deadline = time.time() + timeout
        self.maintain_pool()
        if not self.state.get("published_record"):
            self.publish_pool()
        devices = self.valid_devices(self.query_self())
        tried = {}
        mine = set()
        for dev in sorted(devices):
            if dev == self.device_id:
                continue
            name = self.start_session(dev, "join", devices)
            if name:
                tried[dev] = [self.state["sessions"][name]["peer_kid"]]
                mine.add(name)
        if not tried:
            raise PeerError("no other device of this user has a valid pool record")
        emit({"event": "waiting-for-code"})
        code = None
        while code is None:
            line = read_line(deadline)
            if line is None:
                self.abort_all(mine, "timeout")
                raise PeerError("no code before the timeout")
            code = parse_code(line)
            if code is None:
                emit({"event": "typing-mistake"})
        vcs, vcm = code
        # Every response sent before the code was shown is queued on the server: take them all,
        # then compare with the sessions established by then (docs/P2P.md §7 step 3). Only if
        # none is established yet, wait for the first.
        chosen = None
        while True:
            results, count = self.pump(0, None)
            self.retry_failed(results, tried, mine, devices)
            drained = count == 0
            live = [n for n in mine if n in self.state["sessions"]]
            established = [n for n in live if self.state["sessions"][n]["established"]]
            if drained and (established or not live):
                break
            if drained:
                if time.time() >= deadline:
                    self.abort_all(mine, "timeout")
                    raise PeerError("no session established before the timeout")
                self.retry_failed(self.pump(self.wait_ms(deadline), None)[0], tried, mine, devices)
        for n in established:
            if hmac.compare_digest(vcs_of(bytes.fromhex(self.state["sessions"][n]["k_code"])), vcs):
                chosen = n
        if chosen is None:
            self.abort_all(mine, "code mismatch")
            raise PeerError("code mismatch")
        self.abort_all(mine - {chosen}, "code mismatch")
        self.send_sealed(chosen, "authproof", {"vcm": vcm})
        while time.time() < deadline:
            results, _ = self.pump(self.wait_ms(deadline), None)
            for r in results:
                if r[1] != chosen:
                    continue
                if r[0] == "abort":
                    raise PeerError(f"the authoriser aborted: {r[2]}")
                if r[0] == "authgrant":
                    self.state["sessions"].pop(chosen, None)  # a completed exchange closes it
                    self.save()
                    self.accept_grant(r[2])
                    emit({"event": "authorised", "master_key": self.cs_pub("master")})
                    return
        self.close(chosen, "timeout")
        raise PeerError("no grant before the timeout")

    def retry_failed(self, results, tried, mine, devices):
        """On a `fail` response, nominate another key of that device (docs/P2P.md §5 step 3)."""
        for r in results:
            if r[0] == "response" and r[2] == "fail":
                dev = r[1].split("|")[1]
                if len(tried.get(dev, [])) < 3:
                    new = self.start_session(dev, "join", devices, exclude_kids=tried[dev])
                    if new:
                        tried[dev].append(self.state["sessions"][new]["peer_kid"])
                        mine.add(new)

    def abort_all(self, names, reason):
        for n in list(names):
            self.close(n, reason)

    def wait_ms(self, deadline):
        return max(0, min(30000, int((deadline - time.time()) * 1000)))

    def grant_seeds(self, body):
        seeds = {}
        for name in ("master", "self_signing", "user_signing"):
            try:
                seeds[name] = unb64(body.get(name + "_key"), 32)
            except ProtocolError as exc:
                raise PeerError(f"grant: bad {name} seed") from exc
        return seeds

    def accept_grant(self, body):
        """docs/P2P.md §8."""
        seeds = self.grant_seeds(body)
        answer = self.query_self()
        shown = self.server_cs_keys(answer)
        for name, seed in seeds.items():
            if shown[name] != ed_pub(seed):
                raise PeerError(f"grant refused: {name} key is not the one /keys/query shows")
        self.state["cross_signing"] = {n: s.hex() for n, s in seeds.items()}
        self.save()
        mine = ((answer.get("device_keys") or {}).get(self.user_id) or {}).get(self.device_id) or {}
        ssk_id = "ed25519:" + ed_pub(seeds["self_signing"])
        if ssk_id not in (mine.get("signatures") or {}).get(self.user_id, {}):
            self.sign_device_with_ssk(self.device_id, self.device_keys_obj())

    def cmd_authorize(self, timeout):
        self.need_login()
        if not self.state.get("cross_signing"):
            raise PeerError("this device holds no cross-signing secrets")
        deadline = time.time() + timeout
        self.maintain_pool()
        # drain what is queued so that "newest" is judged over everything waiting
        while True:
            _, count = self.pump(0, None)
            if count == 0:
                break
        active = None
        vcm = None
        while time.time() < deadline:
            if active is None:
                active, vcm = self.answer_newest_join()
                if active is None:
                    self.pump(self.wait_ms(deadline), None)
                    continue
            results, _ = self.pump(self.wait_ms(deadline), None)
            for r in results:
                if r[0] in ("join-request", "rotation-session", "response") or r[1] != active:
                    continue
                if r[0] == "abort":
                    raise PeerError(f"the joiner aborted: {r[2]}")
                if r[0] != "authproof":
                    self.close(active, "unexpected message")
                    raise PeerError(f"unexpected {r[0]}")
                got = r[2].get("vcm")
                if not isinstance(got, str) or not hmac.compare_digest(got.encode(), vcm.encode()):
                    self.close(active, "wrong code")
                    raise PeerError("wrong code")
                s = self.state["sessions"][active]
                peer = s["peer_dev"]
                devices = self.valid_devices(self.query_self())
                if peer not in devices or devices[peer]["keys"]["ed25519:" + peer] != s["peer_ed25519"]:
                    self.close(active, "device keys changed")
                    raise PeerError("the joiner's device keys are gone or changed since its request")
                self.sign_device_with_ssk(peer, devices[peer])
                self.send_sealed(active, "authgrant", {
                    "master_key": b64(self.cs_seed("master")), "self_signing_key": b64(self.cs_seed("self_signing")),
                    "user_signing_key": b64(self.cs_seed("user_signing"))})
                self.state["sessions"].pop(active, None)
                self.save()
                emit({"event": "authorised", "device_id": peer})
                return
        if active:
            self.close(active, "timeout")
        raise PeerError("timeout")

    def answer_newest_join(self):
        self.expire_sessions()
        while self.state["waiting_joins"]:
            w = self.state["waiting_joins"].pop()  # newest
            self.save()
            try:
                devices = self.valid_devices(self.query_self())
                name = self.answer_request(w["header"], w["body"], devices)
            except ProtocolError as exc:
                note(f"join request refused: {exc}")
                continue
            if name is None:
                continue
            vcm_bits = secrets.randbits(25)
            vcm = symbols(vcm_bits)
            s = self.state["sessions"][name]
            emit({"event": "request", "device_id": s["peer_dev"],
                  "code": vcs_of(bytes.fromhex(s["k_code"])) + "-" + vcm})
            return name, vcm
        return None, None

    def cmd_listen(self, timeout):
        self.need_login()
        deadline = time.time() + timeout
        self.maintain_pool()
        self.resume_handovers()
        while True:
            results, _ = self.pump(self.wait_ms(deadline), None)
            for r in results:
                if r[0] == "rotation":
                    self.accept_rotation(r[1], r[2])
                elif r[0] == "response":
                    self.handover_response(r[1], r[2])
            if time.time() >= deadline:
                return

    def accept_rotation(self, name, body):
        self.state["sessions"].pop(name, None)  # a completed exchange closes the session
        self.save()
        held = self.state.get("cross_signing")
        if not held:
            note("rotation refused: this device holds no secrets")
            return
        try:
            seeds = self.grant_seeds(body)
        except PeerError as exc:
            note(str(exc))
            return
        old_master = bytes.fromhex(held["master"])
        if "master_key_signature" in body:
            text = ("org.keymesh.p2p.v1 new master " + ed_pub(seeds["master"])).encode()
            try:
                nacl.signing.VerifyKey(bytes(nacl.signing.SigningKey(old_master).verify_key)).verify(
                    text, unb64(body["master_key_signature"], 64))
            except (ProtocolError, nacl.exceptions.BadSignatureError):
                note("rotation refused: bad master_key_signature")
                return
        elif not hmac.compare_digest(seeds["master"], old_master):
            note("rotation refused: master seed differs")
            return
        shown = self.server_cs_keys(self.query_self())
        if any(shown[n] != ed_pub(s) for n, s in seeds.items()):
            note("rotation refused: keys differ from /keys/query")
            return
        self.state["cross_signing"] = {n: s.hex() for n, s in seeds.items()}
        self.save()
        emit({"event": "rotated", "self_signing_key": ed_pub(seeds["self_signing"]),
              "user_signing_key": ed_pub(seeds["user_signing"])})

    # ---- revocation (§9), the rotating side
    def cmd_revoke(self, target, reset_master, timeout):
        self.need_login()
        if not self.state.get("cross_signing"):
            raise PeerError("this device holds no cross-signing secrets")
        deadline = time.time() + timeout
        before = self.query_self()
        old_ssk = self.cs_pub("self_signing")
        signed = [d for d, k in self.valid_devices(before).items()
                  if "ed25519:" + old_ssk in (k.get("signatures") or {}).get(self.user_id, {})
                  and d not in (target, self.device_id)]
        self.http.with_password("POST", "/_matrix/client/v3/delete_devices", {"devices": [target]},
                                self.user_id, self.need_password())
        old = {n: bytes.fromhex(s) for n, s in self.state["cross_signing"].items()}
        new = {"master": secrets.token_bytes(32) if reset_master else old["master"],
               "self_signing": secrets.token_bytes(32), "user_signing": secrets.token_bytes(32)}
        self.upload_cross_signing(new, include_master=reset_master)
        self.state["cross_signing"] = {n: s.hex() for n, s in new.items()}
        body = {"master_key": b64(new["master"]), "self_signing_key": b64(new["self_signing"]),
                "user_signing_key": b64(new["user_signing"])}
        if reset_master:
            text = ("org.keymesh.p2p.v1 new master " + ed_pub(new["master"])).encode()
            body["master_key_signature"] = b64(nacl.signing.SigningKey(old["master"]).sign(text).signature)
        self.state["handovers"] = {d: {"body": body, "session": None} for d in signed}
        self.save()
        devices = self.valid_devices(self.query_self())
        self.sign_device_with_ssk(self.device_id, self.device_keys_obj())
        for d in signed:
            if d in devices:
                self.sign_device_with_ssk(d, devices[d])
        emit({"event": "revoked", "device_id": target, "self_signing_key": ed_pub(new["self_signing"]),
              "handovers": sorted(signed)})
        self.resume_handovers()
        while self.state["handovers"] and time.time() < deadline:
            results, _ = self.pump(self.wait_ms(deadline), None)
            for r in results:
                if r[0] == "response":
                    self.handover_response(r[1], r[2])
        if self.state["handovers"]:
            raise PeerError(f"hand-overs still pending: {sorted(self.state['handovers'])}")

    def resume_handovers(self):
        if not self.state.get("handovers"):
            return
        devices = self.valid_devices(self.query_self())
        for d, pending in list(self.state["handovers"].items()):
            if d not in devices:
                del self.state["handovers"][d]
                continue
            if pending["session"] in self.state["sessions"]:
                continue
            pending["session"] = self.start_session(d, "rotation", devices)
        self.save()

    def handover_response(self, name, status):
        for d, pending in list(self.state.get("handovers", {}).items()):
            if pending["session"] != name:
                continue
            if status == "okay":
                self.send_sealed(name, "rotation", pending["body"])
                self.state["sessions"].pop(name, None)
                del self.state["handovers"][d]
                emit({"event": "handed-over", "device_id": d})
            else:
                pending["session"] = None
            self.save()
        self.resume_handovers()


_STDIN_BUFFER = bytearray()


def read_line(deadline):
    """One line from stdin (unbuffered, so select sees what is left), or None at EOF/deadline."""
    while b"\n" not in _STDIN_BUFFER:
        left = deadline - time.time()
        if left <= 0:
            return None
        ready, _, _ = select.select([0], [], [], left)
        if ready:
            chunk = os.read(0, 4096)
            if not chunk:
                if not _STDIN_BUFFER:
                    return None
                _STDIN_BUFFER.extend(b"\n")
            _STDIN_BUFFER.extend(chunk)
    line, _, rest = bytes(_STDIN_BUFFER).partition(b"\n")
    _STDIN_BUFFER[:] = rest
    return line.decode("utf-8", "replace").strip()


def main():
    parser = argparse.ArgumentParser(description="org.keymesh.p2p.v1 peer (docs/P2P.md)")
    parser.add_argument("--server", required=True)
    parser.add_argument("--state", required=True)
    sub = parser.add_subparsers(dest="command", required=True)
    for name in ("register", "login"):
        sub.add_parser(name).add_argument("--user", required=True)
    for name, default in (("join", 300), ("authorize", 600), ("listen", 30)):
        sub.add_parser(name).add_argument("--timeout", type=float, default=default)
    rv = sub.add_parser("revoke")
    rv.add_argument("--device", required=True)
    rv.add_argument("--reset-master", action="store_true")
    rv.add_argument("--timeout", type=float, default=120)
    sub.add_parser("status")
    args = parser.parse_args()
    peer = Peer(args.server, args.state)
    try:
        if args.command == "register":
            peer.register(args.user)
        elif args.command == "login":
            peer.login(args.user)
        elif args.command == "join":
            peer.cmd_join(args.timeout)
        elif args.command == "authorize":
            peer.cmd_authorize(args.timeout)
        elif args.command == "listen":
            peer.cmd_listen(args.timeout)
        elif args.command == "revoke":
            peer.cmd_revoke(args.device, args.reset_master, args.timeout)
        else:
            peer.cmd_status()
    except Exception as exc:  # one error line, never a traceback
        sys.stderr.write(f"error: {type(exc).__name__}: {exc}\n" if not isinstance(exc, (PeerError, ProtocolError))
                         else f"error: {exc}\n")
        sys.stderr.flush()
        sys.exit(1)


if __name__ == "__main__":
    main()

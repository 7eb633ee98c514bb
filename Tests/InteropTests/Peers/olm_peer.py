#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: 2026 KeyMesh contributors
"""A live Olm peer for KeyMesh's interop tests: vodozemac or python-olm (libolm) from PyPI.

Usage: olm_peer.py vodozemac|libolm. Reads one JSON request per line on stdin and writes one
JSON reply per line on stdout. Plaintexts travel as base64 so any bytes survive; keys and
message bodies are the unpadded base64 Matrix uses. Errors come back as {"error": "..."}.
"""
import base64
import json
import sys


def b64d(s):
    return base64.b64decode(s + "=" * (-len(s) % 4))


def b64e(b):
    return base64.b64encode(b).decode().rstrip("=")


def canonical(obj):
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()


class Vodozemac:
    def __init__(self):
        import vodozemac as v
        self.v = v
        self.account = v.Account()
        self.sessions = {}

    def identity(self):
        return {"curve25519": self.account.curve25519_key.to_base64(),
                "ed25519": self.account.ed25519_key.to_base64()}

    def generate_one_time_keys(self, count):
        self.account.generate_one_time_keys(count)
        return {k: key.to_base64() for k, key in self.account.one_time_keys.items()}

    def generate_fallback_key(self):
        self.account.generate_fallback_key()
        return {k: key.to_base64() for k, key in self.account.fallback_key.items()}

    def mark_published(self):
        self.account.mark_keys_as_published()

    def sign(self, message):
        return self.account.sign(message).to_base64()

    def verify(self, key, message, signature):
        try:
            self.v.Ed25519PublicKey.from_base64(key).verify_signature(
                message, self.v.Ed25519Signature.from_base64(signature))
            return True
        except Exception:
            return False

    def outbound(self, identity_key, one_time_key):
        s = self.account.create_outbound_session(
            self.v.Curve25519PublicKey.from_base64(identity_key),
            self.v.Curve25519PublicKey.from_base64(one_time_key))
        return s, s.session_id

    def inbound(self, identity_key, mtype, body):
        msg = self.v.AnyOlmMessage.from_parts(mtype, b64d(body)).to_pre_key()
        s, plaintext = self.account.create_inbound_session(
            self.v.Curve25519PublicKey.from_base64(identity_key), msg)
        return s, s.session_id, plaintext

    def encrypt(self, s, plaintext):
        mtype, raw = s.encrypt(plaintext).to_parts()
        return mtype, b64e(raw)

    def decrypt(self, s, mtype, body):
        return s.decrypt(self.v.AnyOlmMessage.from_parts(mtype, b64d(body)))


class Libolm:
    def __init__(self):
        import olm
        self.olm = olm
        self.account = olm.Account()

    def identity(self):
        return dict(self.account.identity_keys)

    def generate_one_time_keys(self, count):
        self.account.generate_one_time_keys(count)
        return dict(self.account.one_time_keys["curve25519"])

    def generate_fallback_key(self):
        self.account.generate_fallback_key()
        return dict(self.account.fallback_key["curve25519"])

    def mark_published(self):
        self.account.mark_keys_as_published()

    def sign(self, message):
        return self.account.sign(message.decode())

    def verify(self, key, message, signature):
        try:
            self.olm.ed25519_verify(key, message.decode(), signature)
            return True
        except Exception:
            return False

    def outbound(self, identity_key, one_time_key):
        s = self.olm.OutboundSession(self.account, identity_key, one_time_key)
        return s, s.id

    def _message(self, mtype, body):
        return self.olm.OlmPreKeyMessage(body) if mtype == 0 else self.olm.OlmMessage(body)

    def inbound(self, identity_key, mtype, body):
        msg = self._message(mtype, body)
        s = self.olm.InboundSession(self.account, msg, identity_key)
        plaintext = self._decrypt(s, msg)
        self.account.remove_one_time_keys(s)
        return s, s.id, plaintext

    def encrypt(self, s, plaintext):
        m = s.encrypt(plaintext.decode())
        return m.message_type, m.ciphertext

    def _decrypt(self, s, msg):
        # python-olm hands back str; KeyMesh tests send UTF-8 text, so this is lossless
        return s.decrypt(msg, unicode_errors="strict").encode()

    def decrypt(self, s, mtype, body):
        return self._decrypt(s, self._message(mtype, body))


def main():
    peer = Vodozemac() if sys.argv[1] == "vodozemac" else Libolm()
    sessions = {}
    for line in sys.stdin:
        req = json.loads(line)
        op = req["op"]
        try:
            if op == "identity":
                out = peer.identity()
            elif op == "generate_one_time_keys":
                out = {"keys": peer.generate_one_time_keys(req["count"])}
            elif op == "generate_fallback_key":
                out = {"keys": peer.generate_fallback_key()}
            elif op == "mark_published":
                peer.mark_published()
                out = {}
            elif op == "sign_key_object":
                # the signed_curve25519 object body as Matrix signs it (canonical JSON)
                obj = {"key": req["key"]}
                if req.get("fallback"):
                    obj["fallback"] = True
                out = {"canonical": canonical(obj).decode(), "signature": peer.sign(canonical(obj))}
            elif op == "sign_json":
                # Matrix signed JSON: canonical form without "signatures" and "unsigned"
                obj = {k: v for k, v in req["object"].items() if k not in ("signatures", "unsigned")}
                out = {"signature": peer.sign(canonical(obj))}
            elif op == "verify":
                out = {"valid": peer.verify(req["key"], req["message"].encode(), req["signature"])}
            elif op == "outbound":
                s, sid = peer.outbound(req["identity_key"], req["one_time_key"])
                sessions[sid] = s
                out = {"session_id": sid}
            elif op == "inbound":
                s, sid, plaintext = peer.inbound(req["identity_key"], req["type"], req["body"])
                sessions[sid] = s
                out = {"session_id": sid, "plaintext": b64e(plaintext)}
            elif op == "encrypt":
                mtype, body = peer.encrypt(sessions[req["session_id"]], b64d(req["plaintext"]))
                out = {"type": mtype, "body": body}
            elif op == "decrypt":
                plaintext = peer.decrypt(sessions[req["session_id"]], req["type"], req["body"])
                out = {"plaintext": b64e(plaintext)}
            else:
                out = {"error": "unknown op " + op}
        except Exception as e:  # report, keep serving
            out = {"error": "%s: %s" % (type(e).__name__, e)}
        sys.stdout.write(json.dumps(out) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()

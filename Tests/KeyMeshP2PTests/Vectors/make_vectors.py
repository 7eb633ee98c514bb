#!/usr/bin/env python3
"""Deterministic test vectors for docs/P2P.md (org.keymesh.p2p.v1).

Run:  .venv/bin/python Tests/KeyMeshP2PTests/Vectors/make_vectors.py > Tests/KeyMeshP2PTests/Vectors/p2p.json

Every secret is fixed (derived from a label with SHA-256), so the output is the same on
every run. Crypto comes from `cryptography` (X25519, HKDF, ChaCha20-Poly1305, SHA-256,
HMAC) and PyNaCl (Ed25519 signing of the pool records, docs/P2P.md §2/§3).
"""
import base64
import hashlib
import hmac
import json
import struct
import sys

import nacl.signing
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

PROTO = b"org.keymesh.p2p.v1"
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
USER_ID = "@alice:example.org"
PURPOSE = "join"
EXPIRES_TS = 4102444800000  # 2100-01-01T00:00:00Z (far future, so a real clock never expires it)


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode().rstrip("=")


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def fixed(label: str, n: int = 32) -> bytes:
    return hashlib.sha256(("keymesh p2p vector " + label).encode()).digest()[:n]


def lp(s: str) -> bytes:
    data = s.encode("utf-8")
    return struct.pack(">H", len(data)) + data


def u64(n: int) -> bytes:
    return struct.pack(">Q", n)


def canonical(obj) -> bytes:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def x_pub(secret: bytes) -> bytes:
    return X25519PrivateKey.from_private_bytes(secret).public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def dh(secret: bytes, public: bytes) -> bytes:
    out = X25519PrivateKey.from_private_bytes(secret).exchange(X25519PublicKey.from_public_bytes(public))
    assert out != bytes(32)
    return out


def digest(public: bytes) -> str:
    return b64(hashlib.sha256(public).digest())


def sign_json(obj: dict, user_id: str, device_id: str, seed: bytes) -> dict:
    unsigned = {k: v for k, v in obj.items() if k not in ("signatures", "unsigned")}
    sig = nacl.signing.SigningKey(seed).sign(canonical(unsigned)).signature
    signed = dict(obj)
    signed["signatures"] = {user_id: {"ed25519:" + device_id: b64(sig)}}
    return signed


def symbols(value25: int) -> str:
    return "".join(ALPHABET[(value25 >> (20 - 5 * i)) & 31] for i in range(5))


def pool_record(name: str, device_id: str, identity_public: bytes, ed_seed: bytes):
    """A pool of 10 fixed keys (docs/P2P.md §3); returns (record, [(id, secret, public)])."""
    pool = []
    for i in range(10):
        secret = fixed(f"{name} pool secret {i}")
        pool.append((b64url(fixed(f"{name} pool id {i}", 9)), secret, x_pub(secret)))
    record = {
        "algorithm": "org.keymesh.p2p.v1",
        "user_id": USER_ID,
        "device_id": device_id,
        "identity_key": b64(identity_public),
        "keys": [{"id": kid, "digest": digest(pub), "expires_ts": EXPIRES_TS} for kid, _, pub in pool],
    }
    return sign_json(record, USER_ID, device_id, ed_seed), pool


def ad(header: dict) -> bytes:
    return (PROTO + lp(header["type"]) + lp(header["srcclientid"]) + lp(header["srckeyid"])
            + lp(header["dstclientid"]) + lp(header["dstkeyid"]) + u64(header["sequence"]))


def main() -> None:
    a_dev, b_dev = "JOINERDEV1", "AUTHDEV001"
    a_ed, b_ed = fixed("initiator ed25519 seed"), fixed("responder ed25519 seed")
    a_is, b_is = fixed("initiator identity secret"), fixed("responder identity secret")
    a_ip, b_ip = x_pub(a_is), x_pub(b_is)
    a_es = fixed("initiator ephemeral secret")
    a_ep = x_pub(a_es)
    a_kid = b64url(fixed("initiator ephemeral key id", 9))
    a_record, _ = pool_record("initiator", a_dev, a_ip, a_ed)
    b_record, b_pool = pool_record("responder", b_dev, b_ip, b_ed)
    b_kid, b_es, b_ep = b_pool[3]  # the initiator nominates the 4th entry of B's pool

    ikm = dh(a_is, b_ep) + dh(a_es, b_ip) + dh(a_es, b_ep)
    assert ikm == dh(b_es, a_ip) + dh(b_is, a_ep) + dh(b_es, a_ep)
    salt = hashlib.sha256(PROTO + lp(USER_ID) + lp(PURPOSE)
                          + lp(a_dev) + lp(a_kid) + a_ip + a_ep
                          + lp(b_dev) + lp(b_kid) + b_ip + b_ep).digest()
    okm = HKDF(algorithm=hashes.SHA256(), length=128, salt=salt,
               info=b"org.keymesh.p2p.v1 session").derive(ikm)
    k_ab, k_ba, k_confirm, k_code = okm[0:32], okm[32:64], okm[64:96], okm[96:128]
    verifier = hmac.new(k_confirm, b"org.keymesh.p2p.v1 responder", hashlib.sha256).digest()
    vcs = symbols(struct.unpack(">I", k_code[:4])[0] >> 7)
    vcm_bits = struct.unpack(">I", fixed("authoriser vcm", 4))[0] >> 7
    vcm = symbols(vcm_bits)

    keys = {"k_ab": k_ab, "k_ba": k_ba}
    messages = []

    def header(direction: str, seq: int, typ: str) -> dict:
        if direction == "k_ab":
            return {"version": 1, "srcclientid": a_dev, "srckeyid": a_kid, "dstclientid": b_dev,
                    "dstkeyid": b_kid, "sequence": seq, "type": typ}
        return {"version": 1, "srcclientid": b_dev, "srckeyid": b_kid, "dstclientid": a_dev,
                "dstkeyid": a_kid, "sequence": seq, "type": typ}

    def plain(description: str, direction: str, seq: int, typ: str, body: dict) -> None:
        h = header(direction, seq, typ)
        messages.append({"description": description, "key": "", "header": h,
                         "plaintext": canonical(body).decode(), "content": dict(h, body=body)})

    def sealed(description: str, direction: str, seq: int, typ: str, body: dict) -> None:
        h = header(direction, seq, typ)
        pt = canonical(body)
        nonce = bytes(4) + u64(seq)
        ct = ChaCha20Poly1305(keys[direction]).encrypt(nonce, pt, ad(h))
        messages.append({"description": description, "key": direction, "header": h,
                         "plaintext": pt.decode(), "content": dict(h, ciphertext=b64(ct))})

    plain("sessionrequest, initiator (joiner) to responder (authoriser)", "k_ab", 1, "sessionrequest",
          {"purpose": PURPOSE, "srckey": b64(a_ep), "dstkeydigest": digest(b_ep), "record": a_record})
    plain("sessionresponse okay, responder to initiator", "k_ba", 1, "sessionresponse",
          {"status": "okay", "message": "ephemeral key okay", "dstkey": b64(b_ep), "auth": b64(verifier)})
    plain("sessionresponse fail (alternative: unknown or mismatched key)", "k_ba", 1, "sessionresponse",
          {"status": "fail", "message": "ephemeral key mismatch"})
    sealed("authproof, joiner to authoriser", "k_ab", 2, "authproof", {"vcm": vcm})
    ms, ss, us = fixed("master seed"), fixed("self-signing seed"), fixed("user-signing seed")
    sealed("authgrant, authoriser to joiner", "k_ba", 2, "authgrant",
           {"master_key": b64(ms), "self_signing_key": b64(ss), "user_signing_key": b64(us)})
    sealed("abort by the authoriser (alternative to authgrant: wrong code)", "k_ba", 2, "abort",
           {"reason": "wrong code"})
    sealed("abort by the joiner (alternative to authproof: code mismatch)", "k_ab", 2, "abort",
           {"reason": "code mismatch"})

    def party(dev, ed, isec, ipub, esec, epub, kid, record):
        return {"device_id": dev, "ed25519_seed": ed.hex(),
                "ed25519_public": b64(bytes(nacl.signing.SigningKey(ed).verify_key)),
                "identity_secret": isec.hex(), "identity_public": b64(ipub),
                "ephemeral_secret": esec.hex(), "ephemeral_public": b64(epub), "key_id": kid,
                "pool_record": record}

    out = {
        "user_id": USER_ID,
        "purpose": PURPOSE,
        "initiator": party(a_dev, a_ed, a_is, a_ip, a_es, a_ep, a_kid, a_record),
        "responder": party(b_dev, b_ed, b_is, b_ip, b_es, b_ep, b_kid, b_record),
        "ikm": ikm.hex(),
        "salt": salt.hex(),
        "okm": okm.hex(),
        "k_ab": k_ab.hex(),
        "k_ba": k_ba.hex(),
        "k_confirm": k_confirm.hex(),
        "k_code": k_code.hex(),
        "session_verifier": b64(verifier),
        "vcs": vcs,
        "vcm_bits": vcm_bits,
        "vcm": vcm,
        "code": vcs + "-" + vcm,
        "cross_signing": {
            "master_seed": ms.hex(), "self_signing_seed": ss.hex(), "user_signing_seed": us.hex(),
            "master_public": b64(bytes(nacl.signing.SigningKey(ms).verify_key)),
            "self_signing_public": b64(bytes(nacl.signing.SigningKey(ss).verify_key)),
            "user_signing_public": b64(bytes(nacl.signing.SigningKey(us).verify_key)),
        },
        "messages": messages,
    }
    json.dump(out, sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()

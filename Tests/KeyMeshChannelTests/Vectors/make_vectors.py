# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: 2026 KeyMesh contributors
"""Regenerate the known-answer test vectors for both channel profiles.

Writes, next to this script:

* ``curve_tun.json`` -- jlouis curve_tun wire format (master 7da3377; reference
  ``curve-tun.md`` sections 1-6 and 11): Hello, Cookie (+ cookie ``K``), Vouch and
  Msg packets, as TCP payloads WITHOUT the 2-byte ``{packet, 2}`` length prefix.
* ``keymesh.json`` -- the ``keymesh`` profile of ``docs/channel-protocol.md``:
  full stream frames (5-byte header included) for Hello, Cookie-ack, Vouch and
  Records, and packet-mode datagrams.

Every input (keys, tags, nonces) is a fixed byte pattern, and XSalsa20-Poly1305
and X25519 are deterministic, so the output is byte-for-byte reproducible.
Every box is also opened again with the receiver's keys as a self-check.

Usage: python make_vectors.py   (needs PyNaCl)
"""

import json
import os
import struct

from nacl.public import Box, PrivateKey, PublicKey
from nacl.secret import SecretBox

HERE = os.path.dirname(os.path.abspath(__file__))


def rng(first, last):
    """Bytes first..last inclusive."""
    return bytes(range(first, last + 1))


def u64be(n):
    return struct.pack(">Q", n)


def u32be(n):
    return struct.pack(">I", n)


def pub(secret):
    return bytes(PrivateKey(secret).public_key)


def box(msg, nonce, sender_secret, receiver_public):
    """Box[msg](As -> B, n) in crypto_box_easy layout: 16-byte tag, then ciphertext."""
    assert len(nonce) == 24
    out = Box(PrivateKey(sender_secret), PublicKey(receiver_public)).encrypt(msg, nonce).ciphertext
    assert len(out) == len(msg) + 16
    return out


def unbox(ct, nonce, sender_public, receiver_secret):
    return Box(PrivateKey(receiver_secret), PublicKey(sender_public)).decrypt(ct, nonce)


def check_box(ct, msg, nonce, sender_public, receiver_secret):
    assert unbox(ct, nonce, sender_public, receiver_secret) == msg


def secretbox(msg, nonce, key):
    out = SecretBox(key).encrypt(msg, nonce).ciphertext
    assert len(out) == len(msg) + 16
    assert SecretBox(key).decrypt(out, nonce) == msg
    return out


def hx(b):
    return b.hex()


def write_json(name, obj):
    path = os.path.join(HERE, name)
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        json.dump(obj, f, indent=2)
        f.write("\n")
    return path


# Dummy vault key pair (curve_tun_vault_dummy; reference curve-tun.md section 7.2).
S = bytes.fromhex("510d65341d6d88c4565b225b03139603d72bd209f29277bc99f54ee85e71252f")
Ss = bytes.fromhex("4f0545772d3ab0e30d29daa8eabee38ea0d9e5cff8210a54b885daee5d282c9d")
assert pub(Ss) == S

ECs = rng(0x01, 0x20)
ESs = rng(0x21, 0x40)
Cs = rng(0x41, 0x60)
EC, ES, C = pub(ECs), pub(ESs), pub(Cs)

# Reference section 11 values.
assert EC == bytes.fromhex("07a37cbc142093c8b755dc1b10e86cb426374ad16aa853ed0bdfc0b2b86d1c7c")
assert ES == bytes.fromhex("5869aff450549732cbaaed5e5df9b30a6da31cb0e5742bad5ad4a1a768f1a67b")


# --------------------------------------------------------------------------
# A) curve_tun (jlouis)
# --------------------------------------------------------------------------

def make_curve_tun():
    Ts = rng(0x61, 0x80)             # minute key
    safe_nonce = rng(0x81, 0x90)     # server SafeNonce, 16 bytes
    nonce_lt = rng(0x91, 0xA0)       # client NonceLT, 16 bytes

    MAGIC_HELLO = bytes([108, 9, 175, 178, 138, 169, 250, 252])
    MAGIC_COOKIE = bytes([28, 69, 220, 185, 65, 192, 227, 246])
    MAGIC_VOUCH = bytes([108, 9, 175, 178, 138, 169, 250, 253])
    MAGIC_MSG = bytes([109, 27, 57, 203, 246, 90, 17, 180])

    # 4.1 Hello
    n = b"CurveCP-client-H" + u64be(0)
    hello_box = box(bytes(64), n, ECs, S)
    check_box(hello_box, bytes(64), n, EC, Ss)
    hello = MAGIC_HELLO + EC + u64be(0) + hello_box
    assert len(hello) == 128
    expected_hello = bytes.fromhex(
        "6c09afb28aa9fafc07a37cbc142093c8b755dc1b10e86cb426374ad16aa853ed"
        "0bdfc0b2b86d1c7c000000000000000079cac8c3a62801fceb355730f7c436b7"
        "d6dd61d67718559be65a6b618c96fdfba88fb7685aea9bde99d73478044afb7b"
        "b1f0ad26d875db656aeaf0c576425780d00788a936018d85fbf80615c3d9043f")
    assert hello == expected_hello, "Hello does not match curve-tun.md section 11"

    # 4.2 Cookie
    K = safe_nonce + secretbox(EC + ESs, b"minute-k" + safe_nonce, Ts)
    assert len(K) == 96
    n = b"CurveCPK" + safe_nonce
    cookie_box = box(ES + K, n, Ss, EC)
    check_box(cookie_box, ES + K, n, S, ECs)
    cookie = MAGIC_COOKIE + safe_nonce + cookie_box
    assert len(cookie) == 168

    # 4.3 Vouch / Initiate
    n_v = b"CurveCPV" + nonce_lt
    V = box(EC, n_v, Cs, S)
    check_box(V, EC, n_v, C, Ss)
    assert len(V) == 48
    inner = C + nonce_lt + V
    assert len(inner) == 96
    n = b"CurveCP-client-I" + u64be(1)
    vouch_box = box(inner, n, ECs, ES)
    check_box(vouch_box, inner, n, EC, ESs)
    vouch = MAGIC_VOUCH + K + u64be(1) + vouch_box
    assert len(vouch) == 224

    # 4.4 Msg
    def msg(side, counter, m):
        if side == "client":
            prefix, a_s, b_p, a_p, b_s = b"CurveCP-client-M", ECs, ES, EC, ESs
        else:
            prefix, a_s, b_p, a_p, b_s = b"CurveCP-server-M", ESs, EC, ES, ECs
        nn = prefix + u64be(counter)
        bx = box(m, nn, a_s, b_p)
        check_box(bx, m, nn, a_p, b_s)
        pkt = MAGIC_MSG + u64be(counter) + bx
        assert len(pkt) == 32 + len(m)
        return {"from": side, "counter": counter, "plaintext_hex": hx(m), "packet": hx(pkt)}

    messages = [
        msg("client", 2, b"1"),
        msg("client", 3, b"hello"),
        msg("server", 2, b"world"),
    ]
    expected_msg = "6d1b39cbf65a11b40000000000000002134c12e285e4e0e82e62a34fe54dd894d0"
    assert messages[0]["packet"] == expected_msg, "Msg N=2 '1' does not match curve-tun.md section 11"

    return {
        "source": "jlouis/curve_tun master 7da3377 wire format (code, not PROTOCOL.md), "
                  "per reference curve-tun.md sections 1-6 and 11; computed with PyNaCl by "
                  "make_vectors.py. Packets are TCP payloads WITHOUT the 2-byte length prefix.",
        "inputs": {
            "S": hx(S), "Ss": hx(Ss), "C": hx(C), "Cs": hx(Cs),
            "EC": hx(EC), "ECs": hx(ECs), "ES": hx(ES), "ESs": hx(ESs),
            "Ts": hx(Ts), "safeNonce": hx(safe_nonce), "nonceLT": hx(nonce_lt),
        },
        "hello": hx(hello),
        "cookie": hx(cookie),
        "cookieK": hx(K),
        "vouch": hx(vouch),
        "messages": messages,
    }


# --------------------------------------------------------------------------
# B) keymesh (docs/channel-protocol.md)
# --------------------------------------------------------------------------

def frame(ftype, body):
    return bytes([ftype]) + u32be(len(body)) + body


def make_keymesh():
    Ctag = b"\xaa" * 32
    Stag = b"\xbb" * 32
    Nk = b"\xcc" * 24
    Nv = b"\xdd" * 24

    # 3.1 Hello
    n = b"KeyMesh-Hello---" + u64be(0)
    hb = box(Ctag, n, ECs, S)
    check_box(hb, Ctag, n, EC, Ss)
    hello_body = b"\x01" + EC + hb
    assert len(hello_body) == 81
    hello = frame(0x01, hello_body)
    assert len(hello) == 86

    # 3.2 Cookie-ack
    pt = ES + Ctag + Stag
    cb = box(pt, Nk, Ss, EC)
    check_box(cb, pt, Nk, S, ECs)
    ack_body = Nk + cb
    assert len(ack_body) == 136
    cookie_ack = frame(0x02, ack_body)
    assert len(cookie_ack) == 141

    # 3.3 Vouch
    V = box(EC + Stag, Nv, Cs, S)
    check_box(V, EC + Stag, Nv, C, Ss)
    assert len(V) == 80
    inner = C + Nv + V
    n = b"KeyMesh-Vouch---" + u64be(0)
    vb = box(inner, n, ECs, ES)
    check_box(vb, inner, n, EC, ESs)
    assert len(vb) == 152
    vouch = frame(0x03, vb)
    assert len(vouch) == 157

    # 4 Records
    def record(side, counter, kind, data):
        if side == "client":
            prefix, a_s, b_p, a_p, b_s = b"KeyMesh-Client-M", ECs, ES, EC, ESs
        else:
            prefix, a_s, b_p, a_p, b_s = b"KeyMesh-Server-M", ESs, EC, ES, ECs
        nn = prefix + u64be(counter)
        pt = bytes([kind]) + data
        bx = box(pt, nn, a_s, b_p)
        check_box(bx, pt, nn, a_p, b_s)
        fr = frame(0x04, u64be(counter) + bx)
        assert len(fr) == 30 + len(data)
        return {"from": side, "counter": counter, "kind": kind,
                "data_hex": hx(data), "frame": hx(fr)}

    records = [
        record("client", 0, 0x00, b"hello"),
        record("client", 1, 0x02, b"\x00"),
        record("server", 0, 0x00, b"world"),
        record("client", 2, 0x01, b"abc"),
        record("client", 3, 0x00, b"def"),
    ]

    # 5 Packet mode
    def packet(side, counter, kind, data):
        pt = bytes([kind]) + data
        if side == "client":
            nn = b"KeyMesh-Client-P" + u64be(counter)
            bx = box(pt, nn, ECs, S)
            check_box(bx, pt, nn, EC, Ss)
            dg = b"\x11" + EC + u64be(counter) + bx
            assert len(dg) == 58 + len(data)
        else:
            nn = b"KeyMesh-Server-P" + u64be(counter)
            bx = box(pt, nn, Ss, EC)
            check_box(bx, pt, nn, S, ECs)
            dg = b"\x12" + u64be(counter) + bx
            assert len(dg) == 26 + len(data)
        return {"from": side, "counter": counter, "kind": kind,
                "data_hex": hx(data), "datagram": hx(dg)}

    packets = [
        packet("client", 0, 0x00, b"ping"),
        packet("server", 0, 0x00, b"pong"),
    ]

    return {
        "source": "docs/channel-protocol.md",
        "inputs": {
            "S": hx(S), "Ss": hx(Ss), "C": hx(C), "Cs": hx(Cs),
            "EC": hx(EC), "ECs": hx(ECs), "ES": hx(ES), "ESs": hx(ESs),
            "Ctag": hx(Ctag), "Stag": hx(Stag), "Nk": hx(Nk), "Nv": hx(Nv),
        },
        "hello": hx(hello),
        "cookie_ack": hx(cookie_ack),
        "vouch": hx(vouch),
        "records": records,
        "packets": packets,
    }


def main():
    for name, obj in (("curve_tun.json", make_curve_tun()), ("keymesh.json", make_keymesh())):
        print("wrote", write_json(name, obj))


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: 2026 KeyMesh contributors
"""Writes msl-schemes.json: known answers for the MSL scheme cryptography (docs/MSL.md §5, §13).

Computed independently of the Swift code with Python's integers, hashlib/hmac and the
`cryptography` package, from docs/MSL.md alone. Run with the repo's .venv:
    .venv/bin/python Tests/KeyMeshMSLTests/Vectors/make_msl_schemes.py
RSA keys, CEKs and IVs are random, so each run writes different RSA vectors; the DH, PSK and
key-wrap answers are fixed.
"""
import base64, hashlib, hmac, json, os, pathlib
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.keywrap import aes_key_wrap


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def wire(n):
    """docs/MSL.md §5.1: 00 ‖ minimal unsigned big-endian magnitude."""
    return b"\0" + n.to_bytes((n.bit_length() + 7) // 8, "big")


GROUP14 = int(
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD"
    "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F"
    "83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B"
    "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA0510"
    "15728E5A8AACAA68FFFFFFFFFFFFFFFF", 16)


def dh_vector(p=None, name="default1"):
    p = p or int("C2048E076B268761DB1427BA3AD98473D32B0ABDEE98C0827923426F294EDA33"
            "92BF0032A1D8092055B58BAA07586A7D3E271C39A8C891F5CEEA4DEBDFA6B023", 16)
    a, b = int("11" * 20, 16), int("22" * 20, 16)
    z = pow(pow(2, b, p), a, p)
    assert z == pow(pow(2, a, p), b, p)
    h = hashlib.sha384(wire(z)).digest()
    return {"id": name, "p": format(p, "X"), "g": "2", "a": "11" * 20, "b": "22" * 20,
            "requester_public": wire(pow(2, a, p)).hex(), "responder_public": wire(pow(2, b, p)).hex(),
            "zbytes": wire(z).hex(), "kenc": h[:16].hex(), "khmac": h[16:].hex()}


def psk_vector():
    kpe = base64.b64decode("kzWYEtKSsPI8dOW5YyoILQ==")
    kph = base64.b64decode("VhxNUK7bYIcCV4wLE2YK90do1X3XqhPeMwwllmNh8Jw=")
    salt = bytes.fromhex("027617984f6227539a630b897c017d69")
    info = bytes.fromhex("809f82a7addf548d3ea9dd067ff9bb91")
    kpw = hmac.new(hmac.new(salt, kpe + kph, "sha256").digest(), info, "sha256").digest()[:16]
    kenc, khmac = bytes(range(16)), bytes(range(100, 132))
    return {"identity": "PSK-ESN", "kpe": kpe.hex(), "kph": kph.hex(), "kpw": kpw.hex(),
            "kenc": kenc.hex(), "khmac": khmac.hex(),
            "wrapped_encryptionkey": aes_key_wrap(kpw, kenc).hex(),
            "wrapped_hmackey": aes_key_wrap(kpw, khmac).hex()}


def negatives(public, private):
    """Wrapped values that decrypt fine but hold a bad key: (mechanism, wrapped, expected error)."""
    def raw_jwe(plaintext, cek):
        header = b64url(b'{"alg":"RSA-OAEP","enc":"A128GCM"}')
        iv = os.urandom(12)
        aad = f"{header}.{b64url(public.encrypt(cek, oaep()))}.{b64url(iv)}"
        sealed = AESGCM(cek if len(cek) in (16, 24, 32) else os.urandom(16)).encrypt(iv, plaintext, aad.encode())
        return f"{aad}.{b64url(sealed[:-16])}.{b64url(sealed[-16:])}".encode()
    def not_v15(ciphertext):
        """An OAEP block that is also valid PKCS#1 v1.5 (00 02 …) would not fail; refuse one."""
        numbers = private.private_numbers()
        block = pow(int.from_bytes(ciphertext, "big"), numbers.d, numbers.public_numbers.n).to_bytes(256, "big")
        assert block[:2] != b"\0\2", "rerun: this OAEP block happens to look like PKCS#1 v1.5"
        return ciphertext
    good = jwk(os.urandom(16), "A128CBC", None, "enc")
    cases = [
        ("RSA", public.encrypt(os.urandom(15), oaep()), "SESSION_KEY_CREATION_FAILURE"),
        ("JWK_RSA", public.encrypt(jwk(os.urandom(15), "A128CBC", ["encrypt"], None), oaep()), "SESSION_KEY_CREATION_FAILURE"),
        ("JWK_RSA", public.encrypt(b"not json", oaep()), "SESSION_KEY_CREATION_FAILURE"),
        ("JWK_RSA", public.encrypt(b'["k"]', oaep()), "SESSION_KEY_CREATION_FAILURE"),
        ("JWK_RSA", public.encrypt(b'{"kty":"rsa","k":"AAAAAAAAAAAAAAAAAAAAAA"}', oaep()), "INVALID_JWK"),
        ("JWK_RSA", public.encrypt(b'{"k":"AAAAAAAAAAAAAAAAAAAAAA"}', oaep()), "INVALID_JWK"),
        ("JWK_RSA", public.encrypt(b'{"kty":"oct"}', oaep()), "INVALID_JWK"),
        ("JWK_RSA", public.encrypt(b'{"kty":"oct","k":"AAAAAAAAAAAAAAAAAAAAAA=="}', oaep()), "INVALID_JWK"),
        ("JWK_RSAES", public.encrypt(b'{"kty":"oct","k":"+AAAAAAAAAAAAAAAAAAAAA"}', padding.PKCS1v15()), "INVALID_JWK"),
        ("JWK_RSAES", not_v15(public.encrypt(jwk(os.urandom(16), "A128CBC", ["encrypt"], None), oaep())),
         "CIPHERTEXT_BAD_PADDING"),
        ("JWK_RSA", public.encrypt(jwk(os.urandom(16), "A128CBC", ["encrypt"], None), padding.PKCS1v15()), "CIPHERTEXT_BAD_PADDING"),
        ("JWE_RSA", raw_jwe(good, os.urandom(15)), "INVALID_SYMMETRIC_KEY"),
        ("JWE_RSA", raw_jwe(good, os.urandom(32)), "INVALID_SYMMETRIC_KEY"),
        ("JWE_RSA", raw_jwe(jwk(os.urandom(15), "A128CBC", None, "enc"), os.urandom(16)), "SESSION_KEY_CREATION_FAILURE"),
        ("JWE_RSA", raw_jwe(b"{not json", os.urandom(16)), "SESSION_KEY_CREATION_FAILURE"),
    ]
    return [{"mechanism": m, "encryptionkey": w.hex(), "error": e} for m, w, e in cases]


def jwk(key, alg, ops, use):
    """A JWK as Java might order it, with extra members a reader must ignore."""
    members = {"kty": "oct", "kid": "extra", "alg": alg, "extractable": False, "k": b64url(key)}
    if ops:
        members["key_ops"] = ops
    else:
        members["use"] = use
    return json.dumps(members).encode()


def jwe(plaintext, public, serialization):
    """docs/MSL.md §5.2: MSL's draft JWE, RSA-OAEP (SHA-1) CEK, A128GCM content."""
    header = b64url(b'{"alg":"RSA-OAEP","enc":"A128GCM"}')
    cek, iv = os.urandom(16), os.urandom(12)
    ecek = b64url(public.encrypt(cek, oaep()))
    aad = f"{header}.{ecek}.{b64url(iv)}"
    sealed = AESGCM(cek).encrypt(iv, plaintext, aad.encode())
    ct, tag = b64url(sealed[:-16]), b64url(sealed[-16:])
    if serialization == "compact":
        return f"{aad}.{ct}.{tag}".encode()
    return json.dumps({"recipients": [{"header": header, "encrypted_key": ecek, "integrity_value": tag}],
                       "initialization_vector": b64url(iv), "ciphertext": ct}).encode()


def oaep():
    return padding.OAEP(mgf=padding.MGF1(hashes.SHA1()), algorithm=hashes.SHA1(), label=None)


def spki(key):
    return key.public_key().public_bytes(serialization.Encoding.DER,
                                         serialization.PublicFormat.SubjectPublicKeyInfo).hex()


def rsa_vector():
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public = private.public_key()
    kenc, khmac = os.urandom(16), os.urandom(32)
    enc_ops = jwk(kenc, "A128CBC", ["decrypt", "encrypt"], None)
    hmac_ops = jwk(khmac, "HS256", ["verify", "sign"], None)
    enc_use = jwk(kenc, "A128CBC", None, "enc")
    hmac_use = jwk(khmac, "HS256", None, "sig")
    mechanisms = {
        "RSA": (public.encrypt(kenc, oaep()), public.encrypt(khmac, oaep())),
        "JWK_RSA": (public.encrypt(enc_ops, oaep()), public.encrypt(hmac_ops, oaep())),
        "JWK_RSAES": (public.encrypt(enc_ops, padding.PKCS1v15()), public.encrypt(hmac_ops, padding.PKCS1v15())),
        "JWE_RSA": (jwe(enc_use, public, "compact"), jwe(hmac_use, public, "compact")),
        "JWEJS_RSA": (jwe(enc_use, public, "json"), jwe(hmac_use, public, "json")),
    }
    pkcs8 = private.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                  serialization.NoEncryption())
    small = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    pkcs1 = public.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.PKCS1)
    return {"private_pkcs8": pkcs8.hex(), "public_spki": spki(private), "kenc": kenc.hex(), "khmac": khmac.hex(),
            "mechanisms": {name: {"encryptionkey": e.hex(), "hmackey": h.hex()} for name, (e, h) in mechanisms.items()},
            "rsa1024_spki": spki(small), "ec_p256_spki": spki(ec.generate_private_key(ec.SECP256R1())),
            "rsa2048_pkcs1_public": pkcs1.hex(), "negatives": negatives(public, private)}


def key_wrap_vectors():
    """RFC 3394 §4.1 and §4.6."""
    return [{"name": "RFC 3394 4.1", "kek": "000102030405060708090A0B0C0D0E0F", "key": "00112233445566778899AABBCCDDEEFF",
             "wrapped": "1FA68B0A8112B447AEF34BD8FB5A7B829D3E862371D2CFE5"},
            {"name": "RFC 3394 4.6", "kek": "000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F",
             "key": "00112233445566778899AABBCCDDEEFF000102030405060708090A0B0C0D0E0F",
             "wrapped": "28C9F404C4B810F4CBCCB35CFB87F8263F5786E2D80ED326CBC7F0E71A99F43BFB988B9B7A02DD21"}]


for v in key_wrap_vectors():
    assert aes_key_wrap(bytes.fromhex(v["kek"]), bytes.fromhex(v["key"])).hex().upper() == v["wrapped"]
out = {"dh_default1": dh_vector(), "dh_group14": dh_vector(GROUP14, "rfc3526-modp2048"), "psk": psk_vector(), "aes_key_wrap": key_wrap_vectors(), "rsa": rsa_vector()}
path = pathlib.Path(__file__).with_name("msl-schemes.json")
path.write_text(json.dumps(out, indent=1) + "\n")

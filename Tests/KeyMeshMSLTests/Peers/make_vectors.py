#!/usr/bin/env python3
"""Writes ../Vectors/msl-peer.json: known answers for KeyMeshMSL computed independently of the
Swift code, from docs/MSL.md only (with msl_peer.py's helpers and plain Python integers).

Deterministic: RSA padding uses fixed seeds (OAEP / PKCS#1 v1.5 done here by hand, checked by
decrypting with `cryptography`), so running it again writes the same file.
Run: .venv/bin/python Tests/KeyMeshMSLTests/Peers/make_vectors.py
"""

import hashlib
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import msl_peer as peer  # noqa: E402
from cryptography.hazmat.primitives import serialization  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Vectors", "msl-peer.json")

# A 2048-bit RSA key generated once for these vectors (PKCS#8 DER). Test key, not a secret.
RSA_PKCS8_HEX = """
308204bf020100300d06092a864886f70d0101010500048204a9308204a50201000282010100e69f0154a4cbcede5c86
8f7609d2a32845673dfa3632de27ec136b10cd5d91d1a026cacdc9cada41d10510f328246608fb09d4f09d820b16d76e
3d8b02627a1d1008ad48bbeffc29fce2a0bc8ac58b18ae6a8e4cb2c6ce338e99dfd416b1f48197161ad839a3d0af5771
3f3af9bc182e8037260f4202955a5b5f31fb870eff72f0c50b6e55797f1e9e12fd6a212476cec975081547e35fab7f2b
a67552b484ed0473a3c047cb948fc6f3cb5afa9bb7223baeb618cf66c2b3c8bb63d5f7566df2d06d0b04402619325bbd
29e4ffeb20fc682c482e1146d9550c8b018f161b76992de1f57bef509cb645608f2a33c04dcf8870d47145a4da83e83e
ae3c80ca239f02030100010282010045c359d2b21b5913d8e777a45c6a54a2cd03e332ba8c7eb992e778ded750f3d876
dae544854390ec91ff3756671143b079c84a9b12fa90c2331f0d0ced06bf2be57aca789329909d5efb6b663d906e7863
e2a5f33bad7a190c8d2db169c02157c64d9087524064d375df332273035c494ccde1fc819a6875b1e845257280adf313
330df62e86533bc05a800c3b7c25bbfb954b0c0cec5f206e90c0bb19d5aa034b6b9dec9d6a1aee3cabccd2fe1779072b
f3b591d5b53ccb81b4c061aab3b5b10744ffcc6ae4dd836ca0890a95e6c075cadce066efb3c4676132f718e81e00258b
48eecdfab93bee7c61fd0f7546540b14e1abae5070b14f1975580b2596512902818100f378ade1bd75536a7a2691b67c
b2a2e61d7bc2f9fcb5e5eef966164206401dac0597c71f663e194187213ff21d044c03a85ed2698ae310cda0144dc80c
d65287e17a14d59451df3a393a29c692a22619dbeca6718ee011f0044e78b33a8365bace86bf62afdd7068bf10929a52
77f657d93edc8ecac494e76f1589d487c7671502818100f27d0b99ae69ed9df60da74fc0e663f6e92393e262f1eb9123
8d9b8398e3c454cc68afba1bd1d6ac6dcacda49d75a640aa7e0f3bae0d25ae22c2d2765e3c138e9ccbd8ea853a7aa8dc
3375f2c4d16010691dd915773263b7a7940ac72e6b4b0c2b562c91e9b473e215a3f78879fe8d80c9fadc7f164f4325c4
6622fe06c1cce302818100ad64276959b501b815cffbfbdb6898ec8ad8c5eda4d4a23103ba796581f00d71a1f60aa048
ff369b5d3207c95472e7f3bee7f0afab72b457cc8649328c39e242d5084d68219e00fd051e6ffbf417b84cb83c1bf949
88381e17e30ec08d8e60579e97861b3125e1d52725155304225cf509496467e8ee0121a511d0bbe40ad5550281810080
be0929a7e34fa81d19f4a9b045e1ef16aaaffa7303f448d3b27c4dab1fca7e2724b19fc2e36ef18f3d2c5f68c62ce58a
5f71610330b1bfb96eec64b1f57d80ab18c36b081f1b3e89e2bc8d8f1786c44fbaec25ac6a516d1188d50c194617cb37
3b0260d9ced7f3c1ff930d9f8f99bb36017d8defdf574c36f0ef45257b417702818100d4f08d6f77a668dd522998e565
b4f63eb47f43cd7a1bdb53b8520692384295e94438a1fdaea57c37620f1a8b84ec04de175d68c457cba745e6534227d7
c82b21d1e1aa942bc05a84df6225c6c653319ef2cccb2e4d7981bcfe4797d70d9f8d1e747cacc235885dd2f5b0c27e72
1a61785d3c968a261a58bb8133ea978857de13
"""

DEFAULT1_P = int("C2048E076B268761DB1427BA3AD98473D32B0ABDEE98C0827923426F294EDA33"
                 "92BF0032A1D8092055B58BAA07586A7D3E271C39A8C891F5CEEA4DEBDFA6B023", 16)
PSK_ESN_KPE = bytes.fromhex("93359812d292b0f23c74e5b9632a082d")
PSK_ESN_KPH = bytes.fromhex("561c4d50aedb608702578c0b13660af74768d57dd7aa13de330c25966361f09c")

SESSION_ENC = bytes(range(0x70, 0x80))      # 16 bytes 0x70..0x7f
SESSION_HMAC = bytes(range(0x80, 0xa0))     # 32 bytes 0x80..0x9f


def seq(start, count):
    return bytes(range(start, start + count))


def dh_vector(comment, parametersid, p, g, a, b):
    pub_a, pub_b = pow(g, a, p), pow(g, b, p)
    z = pow(pub_b, a, p)
    assert z == pow(pub_a, b, p)
    zbytes, kenc, khmac = peer.dh_derive(z)
    return {"comment": comment, "parametersid": parametersid, "p": format(p, "x"), "g": g,
            "requester_private": format(a, "x"), "responder_private": format(b, "x"),
            "requester_publickey_wire_hex": peer.int_to_wire(pub_a).hex(),
            "responder_publickey_wire_hex": peer.int_to_wire(pub_b).hex(),
            "requester_publickey_base64": peer.b64encode(peer.int_to_wire(pub_a)),
            "responder_publickey_base64": peer.b64encode(peer.int_to_wire(pub_b)),
            "zbytes": zbytes.hex(), "kenc": kenc.hex(), "khmac": khmac.hex()}


# --- deterministic RSA encryption (RFC 8017 §7.1.1 and §7.2.1), checked by decrypting ----------

def mgf1_sha1(seed, length):
    out = b""
    counter = 0
    while len(out) < length:
        out += hashlib.sha1(seed + counter.to_bytes(4, "big")).digest()
        counter += 1
    return out[:length]


def xor(a, b):
    return bytes(x ^ y for x, y in zip(a, b))


def rsa_raw(public_key, em):
    numbers = public_key.public_numbers()
    k = (numbers.n.bit_length() + 7) // 8
    return pow(int.from_bytes(em, "big"), numbers.e, numbers.n).to_bytes(k, "big")


def oaep_sha1(public_key, message, label):
    k = (public_key.public_numbers().n.bit_length() + 7) // 8
    seed = hashlib.sha1(b"msl-peer oaep seed " + label.encode()).digest()
    db = hashlib.sha1(b"").digest() + b"\x00" * (k - len(message) - 42) + b"\x01" + message
    masked_db = xor(db, mgf1_sha1(seed, k - 21))
    masked_seed = xor(seed, mgf1_sha1(masked_db, 20))
    return rsa_raw(public_key, b"\x00" + masked_seed + masked_db)


def pkcs1v15(public_key, message, label):
    k = (public_key.public_numbers().n.bit_length() + 7) // 8
    ps = b""
    counter = 0
    while len(ps) < k - len(message) - 3:
        block = hashlib.sha256(b"msl-peer pkcs1 ps %s %d" % (label.encode(), counter)).digest()
        ps += bytes(x for x in block if x != 0)
        counter += 1
    return rsa_raw(public_key, b"\x00\x02" + ps[:k - len(message) - 3] + b"\x00" + message)


def rsa_blob(mechanism, private_key, key, kind):
    public_key = private_key.public_key()
    label = mechanism + "/" + kind
    if mechanism == "RSA":
        blob = oaep_sha1(public_key, key, label)
        assert private_key.decrypt(blob, peer.OAEP_SHA1) == key
    elif mechanism == "JWK_RSA":
        blob = oaep_sha1(public_key, peer.jwk_bytes(key, kind, "key_ops"), label)
    elif mechanism == "JWK_RSAES":
        blob = pkcs1v15(public_key, peer.jwk_bytes(key, kind, "key_ops"), label)
    else:
        cek = hashlib.sha256(b"msl-peer cek " + label.encode()).digest()[:16]
        iv = hashlib.sha256(b"msl-peer iv " + label.encode()).digest()[:12]
        ecek = oaep_sha1(public_key, cek, label + "/cek")
        blob = peer.jwe_wrap(peer.jwk_bytes(key, kind, "use"), public_key,
                             mechanism == "JWE_RSA", cek=cek, iv=iv, ecek=ecek)
    length = 16 if kind == "enc" else 32
    assert peer.rsa_unwrap(mechanism, private_key, blob, length) == key
    return blob


def rsa_vectors():
    der = bytes.fromhex("".join(RSA_PKCS8_HEX.split()))
    private_key = serialization.load_der_private_key(der, password=None)
    spki = private_key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    entries = {}
    for mechanism in peer.MECHANISMS:
        enc_blob = rsa_blob(mechanism, private_key, SESSION_ENC, "enc")
        hmac_blob = rsa_blob(mechanism, private_key, SESSION_HMAC, "sig")
        entries[mechanism] = {
            "keydata": {"keypairid": "vector-keypair", "encryptionkey": peer.b64encode(enc_blob),
                        "hmackey": peer.b64encode(hmac_blob)},
            "encryptionkey_plaintext_utf8": None if mechanism == "RSA" else
            _plaintext(mechanism, private_key, enc_blob),
        }
    return {
        "comment": "ASYMMETRIC_WRAPPED (docs/MSL.md §5.2): the responder keydata for each mechanism "
                   "wrapping encryptionkey 70..7f and hmackey 80..9f to the public key of "
                   "private_key_pkcs8_hex. A requester holding that key must unwrap exactly those "
                   "keys. RSA padding seeds are fixed (deterministic); JWE CEK/IV fixed. "
                   "encryptionkey_plaintext_utf8 shows the JWK / JWE bytes for debugging. "
                   "cases: keydata (keypairid vector-keypair) whose encryptionkey blob is "
                   "malformed or unusual; a requester with this key and that mechanism must fail "
                   "with error, or, where no error is given, unwrap encryptionkey/hmackey.",
        "private_key_pkcs8_hex": der.hex(),
        "publickey_spki_base64": peer.b64encode(spki),
        "request_keydata_example": {"keypairid": "vector-keypair", "mechanism": "RSA",
                                    "publickey": peer.b64encode(spki)},
        "encryptionkey": SESSION_ENC.hex(), "hmackey": SESSION_HMAC.hex(),
        "mechanisms": entries,
        "cases": requester_cases(),
    }


def requester_cases():
    """Responder keydata a requester holding the vector RSA key / PSK-ESN must refuse or accept."""
    der = bytes.fromhex("".join(RSA_PKCS8_HEX.split()))
    private_key = serialization.load_der_private_key(der, password=None)
    public_key = private_key.public_key()
    good_hmac = {m: rsa_blob(m, private_key, SESSION_HMAC, "sig") for m in peer.MECHANISMS}

    def jwe(label, compact=True, cek_len=16, header=None, plaintext=None):
        cek = hashlib.sha256(b"msl-peer bad cek " + label.encode()).digest()[:cek_len]
        iv = hashlib.sha256(b"msl-peer bad iv " + label.encode()).digest()[:12]
        return peer.jwe_wrap(plaintext or peer.jwk_bytes(SESSION_ENC, "enc", "use"), public_key,
                             compact, cek=cek, iv=iv, ecek=oaep_sha1(public_key, cek, label),
                             header=header)

    def edit_compact(blob, index, fn):
        parts = blob.decode().split(".")
        parts[index] = fn(parts[index])
        return ".".join(parts).encode()

    k = peer.b64url_encode(SESSION_ENC)
    reordered = ('{"k":"%s","extractable":false,"key_ops":["decrypt","encrypt"],"kid":"x",'
                 '"alg":"A128CBC","kty":"oct"}' % k).encode()
    flipped = jwe("flip")
    flipped = edit_compact(flipped, 3, lambda p: ("B" if p[0] == "A" else "A") + p[1:])
    js = parse_js = peer.parse_json(jwe("js", compact=False))
    parse_js["recipients"] = []
    cases = [
        ("RSA", "raw 15-byte key", oaep_sha1(public_key, SESSION_ENC[:15], "c1"),
         "SESSION_KEY_CREATION_FAILURE"),
        ("RSA", "PKCS#1 v1.5 instead of OAEP", pkcs1v15(public_key, SESSION_ENC, "c2"),
         "CIPHERTEXT_BAD_PADDING"),
        ("JWK_RSA", "plaintext not JSON", oaep_sha1(public_key, b"not json", "c3"),
         "SESSION_KEY_CREATION_FAILURE"),
        ("JWK_RSA", "kty RSA", oaep_sha1(public_key, ('{"kty":"RSA","k":"%s"}' % k).encode(), "c4"),
         "INVALID_JWK"),
        ("JWK_RSA", "k of 15 bytes", oaep_sha1(public_key, peer.jwk_bytes(SESSION_ENC[:15], "enc",
                                                                           "key_ops"), "c5"),
         "SESSION_KEY_CREATION_FAILURE"),
        ("JWK_RSA", "members reordered, key_ops reversed, extra kid: accepted",
         oaep_sha1(public_key, reordered, "c6"), None),
        ("JWK_RSAES", "minimal JWK {kty,k}: accepted",
         pkcs1v15(public_key, ('{"kty":"oct","k":"%s"}' % k).encode(), "c7"), None),
        ("JWE_RSA", "header alg RSA1_5", jwe("alg", header={"alg": "RSA1_5", "enc": "A128GCM"}),
         "JWE_ALGORITHM_MISMATCH"),
        ("JWE_RSA", "4 parts", b".".join(jwe("parts").split(b".")[:4]), "JWE_PARSE_ERROR"),
        ("JWE_RSA", "empty IV part", edit_compact(jwe("emptyiv"), 2, lambda p: ""),
         "JWE_PARSE_ERROR"),
        ("JWE_RSA", "32-byte CEK", jwe("cek", cek_len=32), "INVALID_SYMMETRIC_KEY"),
        ("JWE_RSA", "12-byte tag", edit_compact(jwe("tag"), 4, lambda p: peer.b64url_encode(
            peer.b64url_decode(p)[:12])), "INVALID_ALGORITHM_PARAMS"),
        ("JWE_RSA", "ciphertext altered", flipped, "UNWRAP_ERROR"),
        ("JWEJS_RSA", "no recipients", peer.dumps(js).encode(), "JWE_PARSE_ERROR"),
        ("JWEJS_RSA", "compact form under JWEJS_RSA: readers take anything not starting with { "
                      "as compact, accepted", jwe("cross"), None),
    ]
    out = []
    for mechanism, comment, blob, error in cases:
        try:
            got = peer.rsa_unwrap(mechanism, private_key, blob, 16)
            got = None if got == SESSION_ENC else "WRONG KEY"
        except peer.MslError as exc:
            got = exc.name
        assert got == error, (comment, got)
        entry = {"comment": mechanism + ": encryptionkey " + comment, "mechanism": mechanism,
                 "keydata": {"keypairid": "vector-keypair", "encryptionkey": peer.b64encode(blob),
                             "hmackey": peer.b64encode(good_hmac[mechanism])}}
        if error:
            entry.update(error=error, internalcode=100000 + peer.ERROR_CODES[error])
        else:
            entry.update(encryptionkey=SESSION_ENC.hex(), hmackey=SESSION_HMAC.hex())
        out.append(entry)
    return out


def _plaintext(mechanism, private_key, blob):
    if mechanism in ("JWE_RSA", "JWEJS_RSA"):
        return blob.decode("ascii")
    pad = peer.padding.PKCS1v15() if mechanism == "JWK_RSAES" else peer.OAEP_SHA1
    return private_key.decrypt(blob, pad).decode("utf-8")


# --- master tokens ------------------------------------------------------------------------------

ISSUER = peer.IssuerKeys("vector-issuer", seq(0x01, 16), seq(0x20, 32))
TOKEN_IV = seq(0xa0, 16)
TOKEN_FIELDS = {"identity": "vector-entity", "encryptionkey": seq(0x50, 16).hex(),
                "hmackey": seq(0x60, 32).hex(), "renewalwindow": 1700000000,
                "expiration": 1700000060, "sequencenumber": 9007199254740992, "serialnumber": 42}


def raw_token(tokendata_obj=None, session_plain=None, envelope=None, tokendata=None, sign_key=None,
              signature=None):
    """Lower-level builder for negative cases: any of the layers may be replaced."""
    if tokendata is None:
        if envelope is None and "sessiondata" not in tokendata_obj:
            ciphertext = peer.aes_cbc_encrypt(ISSUER.enc, TOKEN_IV, session_plain)
            envelope = {"keyid": ISSUER.kid, "iv": peer.b64encode(TOKEN_IV),
                        "ciphertext": peer.b64encode(ciphertext), "sha256": "AA=="}
        obj = dict(tokendata_obj)
        if "sessiondata" not in obj:
            obj["sessiondata"] = peer.b64encode(peer.dumps(envelope).encode())
        tokendata = peer.dumps(obj).encode()
    if signature is None:
        signature = peer.hmac.new(sign_key or ISSUER.hmac, tokendata, hashlib.sha256).digest()
    return {"tokendata": peer.b64encode(tokendata), "signature": peer.b64encode(signature)}


def good_session(**changes):
    session = {"identity": "vector-entity", "encryptionkey": peer.b64encode(seq(0x50, 16)),
               "encryptionalgorithm": "AES", "hmackey": peer.b64encode(seq(0x60, 32)),
               "signaturekey": peer.b64encode(seq(0x60, 32)), "signaturealgorithm": "HmacSHA256"}
    session.update(changes)
    return peer.dumps({k: v for k, v in session.items() if v is not None}).encode()


def times(**changes):
    obj = {"renewalwindow": 1700000000, "expiration": 1700000060,
           "sequencenumber": 9007199254740992, "serialnumber": 42}
    obj.update(changes)
    return {k: v for k, v in obj.items() if v is not None}


def bad_tokens():
    """Each case: a token and the error docs/MSL.md §6 says a reader holding ISSUER raises."""
    cbc_bad_padding = peer.Cipher(peer.algorithms.AES(ISSUER.enc), peer.modes.CBC(TOKEN_IV)) \
        .encryptor().update(b"\x00" * 32)
    cases = [
        ("signature by another key", raw_token(times(), good_session(), sign_key=b"\x99" * 32),
         "MASTERTOKEN_UNTRUSTED"),
        ("envelope names another issuer key id", raw_token(times(), good_session(), envelope={
            "keyid": "other-issuer", "iv": peer.b64encode(TOKEN_IV), "sha256": "AA==",
            "ciphertext": peer.b64encode(peer.aes_cbc_encrypt(ISSUER.enc, TOKEN_IV,
                                                              good_session()))}),
         "MASTERTOKEN_UNTRUSTED"),
        ("empty tokendata", raw_token(tokendata=b""), "MASTERTOKEN_TOKENDATA_MISSING"),
        ("tokendata not JSON", raw_token(tokendata=b"not json"), "MASTERTOKEN_TOKENDATA_PARSE_ERROR"),
        ("tokendata without serialnumber", raw_token(times(serialnumber=None), good_session()),
         "MASTERTOKEN_TOKENDATA_PARSE_ERROR"),
        ("expiration before renewalwindow", raw_token(times(expiration=1699999999), good_session()),
         "MASTERTOKEN_EXPIRES_BEFORE_RENEWAL"),
        ("sequencenumber 2^53+1", raw_token(times(sequencenumber=2 ** 53 + 1), good_session()),
         "MASTERTOKEN_SEQUENCE_NUMBER_OUT_OF_RANGE"),
        ("serialnumber -1", raw_token(times(serialnumber=-1), good_session()),
         "MASTERTOKEN_SERIAL_NUMBER_OUT_OF_RANGE"),
        ("empty sessiondata", raw_token(dict(times(), sessiondata="")),
         "MASTERTOKEN_SESSIONDATA_MISSING"),
        ("sessiondata envelope not JSON", raw_token(dict(times(), sessiondata=peer.b64encode(b"xx"))),
         "CIPHERTEXT_ENVELOPE_PARSE_ERROR"),
        ("bad CBC padding", raw_token(times(), envelope={
            "keyid": ISSUER.kid, "iv": peer.b64encode(TOKEN_IV), "sha256": "AA==",
            "ciphertext": peer.b64encode(cbc_bad_padding)}), "CIPHERTEXT_BAD_PADDING"),
        ("session data plaintext not JSON", raw_token(times(), b"plain text"),
         "MASTERTOKEN_SESSIONDATA_PARSE_ERROR"),
        ("session data without identity", raw_token(times(), good_session(identity=None)),
         "MASTERTOKEN_SESSIONDATA_PARSE_ERROR"),
        ("encryptionalgorithm DESede", raw_token(times(), good_session(encryptionalgorithm="DESede")),
         "UNIDENTIFIED_ALGORITHM"),
        ("15-byte encryption key", raw_token(times(), good_session(
            encryptionkey=peer.b64encode(seq(0x50, 15)))), "MASTERTOKEN_KEY_CREATION_ERROR"),
    ]
    out = []
    for comment, token, error in cases:
        try:
            info = peer.read_token(token, ISSUER)
            got = "MASTERTOKEN_UNTRUSTED" if not info["verified"] else "OK"
        except peer.MslError as exc:
            got = exc.name
        assert got == error, (comment, got)
        out.append({"comment": comment, "mastertoken": token, "error": error,
                    "internalcode": 100000 + peer.ERROR_CODES[error]})
    return out


def token_vectors():
    def mint(envelope_version, signature_version):
        return peer.mint_token(ISSUER, "vector-entity", 1700000000, 1700000060, 9007199254740992,
                               42, seq(0x50, 16), seq(0x60, 32), iv=TOKEN_IV,
                               envelope_version=envelope_version,
                               signature_version=signature_version)
    v1 = mint(1, 1)
    v2 = mint(2, 2)
    for token in (v1, v2):
        info = peer.read_token(token, ISSUER)
        assert info["verified"] and all(info[k] == v for k, v in TOKEN_FIELDS.items()), info
    return {
        "comment": "Master tokens (docs/MSL.md §6) issued by issuer_keys with IV a0..af. "
                   "mastertoken uses the version 1 ciphertext envelope and raw 32-byte signature; "
                   "mastertoken_v2 the version 2 envelope and version 2 signature envelope, same "
                   "fields. A reader holding issuer_keys must decode expected; one holding other "
                   "keys must find the token unverified. tokendata_utf8 is for debugging only "
                   "(never compare JSON as bytes).",
        "issuer_keys": {"keyid": ISSUER.kid, "encryptionkey": ISSUER.enc.hex(),
                        "hmackey": ISSUER.hmac.hex()},
        "iv": TOKEN_IV.hex(),
        "mastertoken": v1,
        "mastertoken_v2": v2,
        "tokendata_utf8": peer.b64decode(v1["tokendata"]).decode(),
        "expected": TOKEN_FIELDS,
        "bad": bad_tokens(),
    }


def main():
    kpw = peer.derive_kpw(PSK_ESN_KPE, PSK_ESN_KPH)
    assert kpw.hex() == "bee63f40c30320feed62359403da2e85"  # docs/MSL.md §13
    default1 = dh_vector(
        "DIFFIE_HELLMAN in MSL's default1 group (docs/MSL.md §13): requester private exponent = "
        "20 bytes of 0x11, responder = 20 bytes of 0x22. Publics in wire form (§5.1: one leading "
        "00), zbytes = 00 || Z, Kenc/Khmac = SHA-384(zbytes) split 16/32.",
        "default1", DEFAULT1_P, 2, int("11" * 20, 16), int("22" * 20, 16))
    group14 = dh_vector(
        "DIFFIE_HELLMAN in the built-in rfc3526-modp2048 group (RFC 3526 group 14, g = 2): "
        "requester private exponent a = 32 bytes of 0x33, responder b = 32 bytes of 0x44.",
        "rfc3526-modp2048", peer.RFC3526_MODP2048_P, 2, int("33" * 32, 16), int("44" * 32, 16))
    wrapped = (peer.aes_key_wrap(kpw, SESSION_ENC), peer.aes_key_wrap(kpw, SESSION_HMAC))
    assert peer.key_unwrap(kpw, wrapped[0], 16) == SESSION_ENC
    vectors = {
        "comment": "Known answers for KeyMeshMSL written by Tests/KeyMeshMSLTests/Peers/"
                   "make_vectors.py from docs/MSL.md, independently of the Swift sources. "
                   "Binary values are lowercase hex unless a name says base64.",
        "psk_esn": {
            "comment": "PSK wrapping key of MSL's test entity PSK-ESN (docs/MSL.md §5.3, §13): "
                       "Kpw = HMAC-SHA256(HMAC-SHA256(salt, Kpe||Kph), info)[0..16).",
            "identity": "PSK-ESN", "kpe": PSK_ESN_KPE.hex(), "kph": PSK_ESN_KPH.hex(),
            "kpw": kpw.hex(),
        },
        "dh_default1": default1,
        "dh_rfc3526_modp2048": group14,
        "mastertoken": token_vectors(),
        "asymmetric_wrapped": rsa_vectors(),
        "symmetric_wrapped_psk": {
            "comment": "SYMMETRIC_WRAPPED response keydata for PSK-ESN (docs/MSL.md §5.3): "
                       "encryptionkey 70..7f and hmackey 80..9f each AES-key-wrapped (RFC 3394, "
                       "default IV) under PSK-ESN's Kpw. A requester must unwrap exactly those keys.",
            "identity": "PSK-ESN", "kpw": kpw.hex(),
            "keydata": {"keyid": "PSK", "encryptionkey": peer.b64encode(wrapped[0]),
                        "hmackey": peer.b64encode(wrapped[1])},
            "encryptionkey": SESSION_ENC.hex(), "hmackey": SESSION_HMAC.hex(),
            "bad": [
                {"comment": "encryptionkey wrapped under another key (Kpw xor ff): AES key wrap "
                            "integrity check fails",
                 "keydata": {"keyid": "PSK", "encryptionkey": peer.b64encode(peer.aes_key_wrap(
                     bytes(x ^ 0xff for x in kpw), SESSION_ENC)), "hmackey": peer.b64encode(wrapped[1])},
                 "error": "UNWRAP_ERROR", "internalcode": 100033},
                {"comment": "hmackey is a wrapped 16-byte key (24 bytes): wrong size after unwrap",
                 "keydata": {"keyid": "PSK", "encryptionkey": peer.b64encode(wrapped[0]),
                             "hmackey": peer.b64encode(wrapped[0])},
                 "error": "SESSION_KEY_CREATION_FAILURE", "internalcode": 100021},
                {"comment": "echoed keyid SESSION differs from the request's PSK",
                 "keydata": {"keyid": "SESSION", "encryptionkey": peer.b64encode(wrapped[0]),
                             "hmackey": peer.b64encode(wrapped[1])},
                 "error": "KEYX_RESPONSE_REQUEST_MISMATCH", "internalcode": 107007},
            ],
        },
    }
    request = peer.PSKRequest("PSK", (PSK_ESN_KPE, PSK_ESN_KPH))
    for case in vectors["symmetric_wrapped_psk"]["bad"]:
        try:
            request.finish(case["keydata"])
            got = None
        except peer.MslError as exc:
            got = exc.name
        assert got == case["error"], (case["comment"], got)
    with open(OUT, "w", encoding="utf-8") as handle:
        json.dump(vectors, handle, indent=2, sort_keys=False)
        handle.write("\n")
    print("wrote", os.path.normpath(OUT))


if __name__ == "__main__":
    main()

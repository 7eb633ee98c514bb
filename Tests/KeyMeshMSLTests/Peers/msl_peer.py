#!/usr/bin/env python3
"""Independent MSL requester and master-token verifier, written from docs/MSL.md only.

Commands (JSON lines on stdin/stdout; see --help of each):
  request        docs/MSL.md §10 `keymesh msl request`
  renew-request  like request, prints {"keyrequestdata":[...],"mastertoken":...} (§10 renewal input)
  verify         master-token reading rules of §6 with the issuer keys
  server-token   the server flow of §11 (token, then renew)
  mint-token     issue a master token per §6 (version 1 envelopes unless told otherwise)

Standard library plus `cryptography` only. Exit status is 0 unless the command line is wrong (2).
"""

import argparse
import base64
import binascii
import hashlib
import hmac
import json
import os
import re
import secrets
import sys
import time
import urllib.error
import urllib.request
import warnings
from decimal import Decimal, InvalidOperation

warnings.filterwarnings("ignore")  # FFDH deprecation notice of `cryptography`

from cryptography.exceptions import InvalidTag  # noqa: E402
from cryptography.hazmat.primitives import hashes, padding as sympadding, serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import dh, padding, rsa  # noqa: E402
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes  # noqa: E402
from cryptography.hazmat.primitives.ciphers.aead import AESGCM  # noqa: E402
from cryptography.hazmat.primitives.keywrap import InvalidUnwrap, aes_key_unwrap, aes_key_wrap  # noqa: E402

# ---------------------------------------------------------------------------------------------
# Limits (§12) and errors (§9)

MAX_LINE = 64 * 1024
MAX_DEPTH = 16
MAX_STRING = 8 * 1024
MAX_OFFERS = 16
MAX_INT = 2 ** 53          # 9007199254740992 (§1)
INT64 = 2 ** 63

ERROR_CODES = {
    "MSL_PARSE_ERROR": 0,
    "INVALID_PUBLIC_KEY": 3,
    "CIPHERTEXT_BAD_PADDING": 8,
    "CIPHERTEXT_ENVELOPE_PARSE_ERROR": 12,
    "SESSION_KEY_CREATION_FAILURE": 21,
    "INVALID_SYMMETRIC_KEY": 24,
    "WRAP_NOT_SUPPORTED": 27,
    "UNWRAP_ERROR": 33,
    "INVALID_JWK": 34,
    "JWE_PARSE_ERROR": 41,
    "INVALID_ALGORITHM_PARAMS": 42,
    "JWE_ALGORITHM_MISMATCH": 43,
    "UNIDENTIFIED_ALGORITHM": 57,
    "MASTERTOKEN_UNTRUSTED": 1000,
    "MASTERTOKEN_KEY_CREATION_ERROR": 1001,
    "MASTERTOKEN_EXPIRES_BEFORE_RENEWAL": 1002,
    "MASTERTOKEN_SESSIONDATA_MISSING": 1003,
    "MASTERTOKEN_SEQUENCE_NUMBER_OUT_OF_RANGE": 1004,
    "MASTERTOKEN_SERIAL_NUMBER_OUT_OF_RANGE": 1005,
    "MASTERTOKEN_SEQUENCE_NUMBER_OUT_OF_SYNC": 1009,
    "MASTERTOKEN_TOKENDATA_MISSING": 1010,
    "MASTERTOKEN_TOKENDATA_PARSE_ERROR": 1011,
    "MASTERTOKEN_SESSIONDATA_PARSE_ERROR": 1012,
    "MASTERTOKEN_IDENTITY_REVOKED": 1013,
    "ENTITY_NOT_FOUND": 4005,
    "MESSAGE_EXPIRED_NOT_RENEWABLE": 6044,
    "UNIDENTIFIED_KEYX_SCHEME": 7000,
    "KEYX_FACTORY_NOT_FOUND": 7001,
    "UNIDENTIFIED_KEYX_KEY_ID": 7003,
    "UNSUPPORTED_KEYX_KEY_ID": 7004,
    "UNIDENTIFIED_KEYX_MECHANISM": 7005,
    "UNSUPPORTED_KEYX_MECHANISM": 7006,
    "KEYX_RESPONSE_REQUEST_MISMATCH": 7007,
    "KEYX_PRIVATE_KEY_MISSING": 7008,
    "UNKNOWN_KEYX_PARAMETERS_ID": 7009,
    "KEYX_MASTER_TOKEN_MISSING": 7010,
    "KEYX_INVALID_PUBLIC_KEY": 7011,
}


class MslError(Exception):
    def __init__(self, name, detail=""):
        super().__init__(f"{name}: {detail}" if detail else name)
        self.name = name
        self.detail = detail

    def to_json(self):
        return {"ok": False, "error": self.name, "internalcode": 100000 + ERROR_CODES[self.name]}


IMPLEMENTED_SCHEMES = ("DIFFIE_HELLMAN", "ASYMMETRIC_WRAPPED", "SYMMETRIC_WRAPPED")
RECOGNISED_SCHEMES = ("JWE_LADDER", "JWK_LADDER", "AUTHENTICATED_DH", "WIDEVINE")
MECHANISMS = ("RSA", "JWK_RSA", "JWK_RSAES", "JWE_RSA", "JWEJS_RSA")

# ---------------------------------------------------------------------------------------------
# Strict JSON (§1, §12)


class _JSONError(Exception):
    pass


def _pairs(pairs):
    out = {}
    for key, value in pairs:
        if key in out:
            raise _JSONError("duplicate member " + key)
        out[key] = value
    return out


def _no_constant(name):
    raise _JSONError("constant " + name)


def _check_tree(value, depth):
    if depth > MAX_DEPTH:
        raise _JSONError("too deep")
    if isinstance(value, str):
        _check_string(value)
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_string(key)
            _check_tree(item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            _check_tree(item, depth + 1)


def _check_string(text):
    if "\x00" in text:
        raise _JSONError("NUL in string")
    try:
        encoded = text.encode("utf-8")
    except UnicodeEncodeError as exc:  # lone surrogate escapes
        raise _JSONError("not UTF-8") from exc
    if len(encoded) > MAX_STRING:
        raise _JSONError("string too long")


def parse_json(data):
    """Parse bytes or str strictly; raises _JSONError."""
    if isinstance(data, (bytes, bytearray)):
        if len(data) > MAX_LINE:
            raise _JSONError("too long")
        try:
            data = bytes(data).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise _JSONError("not UTF-8") from exc
    elif len(data.encode("utf-8", "surrogatepass")) > MAX_LINE:
        raise _JSONError("too long")
    try:
        value = json.loads(data, object_pairs_hook=_pairs, parse_float=Decimal,
                           parse_constant=_no_constant)
    except _JSONError:
        raise
    except (ValueError, RecursionError) as exc:
        raise _JSONError(str(exc)) from exc
    _check_tree(value, 1)
    return value


def dumps(value):
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def as_int(value, low=-MAX_INT, high=MAX_INT):
    """An exact integer (1.0 and 1e3 count, 1.5 does not); None when not one or out of range."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, Decimal):
        try:
            if not value.is_finite() or abs(value) > INT64 or value != value.to_integral_value():
                return None
            number = int(value)
        except (InvalidOperation, ValueError):
            return None
    else:
        return None
    if number < low or number > high:
        return None
    return number


# ---------------------------------------------------------------------------------------------
# Base64 (§1)

_B64_BODY = re.compile(r"\A[A-Za-z0-9+/]*={0,2}\Z")
_B64URL = re.compile(r"\A[A-Za-z0-9_-]*\Z")


def b64decode(text):
    """Standard base64 with padding; ASCII whitespace skipped; raises ValueError."""
    if not isinstance(text, str):
        raise ValueError("not a string")
    stripped = re.sub(r"[ \t\r\n]", "", text)
    if len(stripped) % 4 != 0 or not _B64_BODY.match(stripped):
        raise ValueError("bad base64")
    try:
        return binascii.a2b_base64(stripped)
    except binascii.Error as exc:
        raise ValueError("bad base64") from exc


def b64encode(data):
    return base64.b64encode(data).decode("ascii")


def b64url_decode(text):
    """base64url without padding (§1: refuses =, + and /); raises ValueError."""
    if not isinstance(text, str) or not _B64URL.match(text) or len(text) % 4 == 1:
        raise ValueError("bad base64url")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def b64url_encode(data):
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def member(obj, name, kind, error):
    """obj[name] of a JSON kind ('string', 'object', 'binary', 'int', 'array'), else MslError(error)."""
    if not isinstance(obj, dict) or name not in obj:
        raise MslError(error, "missing " + name)
    value = obj[name]
    if kind == "string" and isinstance(value, str):
        return value
    if kind == "object" and isinstance(value, dict):
        return value
    if kind == "array" and isinstance(value, list):
        return value
    if kind == "binary" and isinstance(value, str):
        try:
            return b64decode(value)
        except ValueError as exc:
            raise MslError(error, "bad base64 in " + name) from exc
    if kind == "int":
        number = as_int(value, -INT64, INT64 - 1)  # a Java long
        if number is not None:
            return number
    raise MslError(error, "mistyped " + name)


# ---------------------------------------------------------------------------------------------
# Diffie-Hellman (§5.1)

# RFC 3526 §3, 2048-bit MODP group 14, g = 2.
RFC3526_MODP2048_P = int(
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD1"
    "29024E088A67CC74020BBEA63B139B22514A08798E3404DD"
    "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245"
    "E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3D"
    "C2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F"
    "83655D23DCA3AD961C62F356208552BB9ED529077096966D"
    "670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B"
    "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9"
    "DE2BCBF6955817183995497CEA956AE515D2261898FA0510"
    "15728E5A8AACAA68FFFFFFFFFFFFFFFF", 16)
BUILTIN_DH = {"rfc3526-modp2048": (RFC3526_MODP2048_P, 2)}


def int_to_wire(number):
    """§5.1: one leading 00 byte before the minimal unsigned magnitude (zero is 00)."""
    magnitude = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    return b"\x00" + magnitude


def wire_to_int(data):
    """§5.1: any number of leading zero bytes is accepted."""
    return int.from_bytes(data, "big")


def dh_derive(z_value):
    zbytes = int_to_wire(z_value)
    digest = hashlib.sha384(zbytes).digest()
    return zbytes, digest[:16], digest[16:48]


def check_dh_public(data, p):
    if len(data) == 0:
        raise MslError("KEYX_INVALID_PUBLIC_KEY", "empty public key")
    magnitude = data.lstrip(b"\x00")  # any number of leading zeros is accepted (§5.1)
    if len(magnitude) > (p.bit_length() + 7) // 8:  # never trust lengths: too big for p
        raise MslError("KEYX_INVALID_PUBLIC_KEY", "public value out of range")
    value = wire_to_int(magnitude)
    if value < 2 or value > p - 2:
        raise MslError("KEYX_INVALID_PUBLIC_KEY", "public value out of range")
    return value


class DHRequest:
    scheme = "DIFFIE_HELLMAN"

    def __init__(self, parametersid, p, g):
        self.parametersid = parametersid
        self.p = p
        self.numbers = dh.DHParameterNumbers(p, g)
        self.private = self.numbers.parameters().generate_private_key()
        self.public = self.private.public_key().public_numbers().y

    def offer(self):
        return {"scheme": self.scheme, "keydata": {
            "parametersid": self.parametersid, "publickey": b64encode(int_to_wire(self.public))}}

    def finish(self, keydata):
        parametersid = member(keydata, "parametersid", "string", "MSL_PARSE_ERROR")
        publickey = member(keydata, "publickey", "binary", "MSL_PARSE_ERROR")
        if len(publickey) == 0:
            raise MslError("KEYX_INVALID_PUBLIC_KEY", "empty public key")
        if parametersid != self.parametersid:
            raise MslError("KEYX_RESPONSE_REQUEST_MISMATCH", "parametersid")
        peer = check_dh_public(publickey, self.p)
        try:
            shared = self.private.exchange(dh.DHPublicNumbers(peer, self.numbers).public_key())
        except ValueError as exc:
            raise MslError("KEYX_INVALID_PUBLIC_KEY", "refused by OpenSSL") from exc
        _, kenc, khmac = dh_derive(int.from_bytes(shared, "big"))
        return kenc, khmac


# ---------------------------------------------------------------------------------------------
# ASYMMETRIC_WRAPPED (§5.2)

OAEP_SHA1 = padding.OAEP(mgf=padding.MGF1(hashes.SHA1()), algorithm=hashes.SHA1(), label=None)
JWE_HEADER = {"alg": "RSA-OAEP", "enc": "A128GCM"}


def jwk_bytes(key, kind, style):
    """kind 'enc' or 'sig'; style 'key_ops' (JWK_RSA/JWK_RSAES) or 'use' (JWE mechanisms)."""
    jwk = {"kty": "oct", "alg": "A128CBC" if kind == "enc" else "HS256", "extractable": False,
           "k": b64url_encode(key)}
    if style == "key_ops":
        jwk["key_ops"] = ["encrypt", "decrypt"] if kind == "enc" else ["sign", "verify"]
    else:
        jwk["use"] = kind
    return dumps(jwk).encode("utf-8")


def jwk_key(data, length):
    """§5.2 reader: only kty = oct and a decodable k of the right length matter."""
    try:
        jwk = parse_json(data)
    except _JSONError as exc:
        raise MslError("SESSION_KEY_CREATION_FAILURE", "JWK is not JSON") from exc
    if not isinstance(jwk, dict):  # MSL: not a JSON object fails like unparseable JSON
        raise MslError("SESSION_KEY_CREATION_FAILURE", "JWK is not a JSON object")
    if jwk.get("kty") != "oct" or not isinstance(jwk.get("k"), str):
        raise MslError("INVALID_JWK", "no kty oct / k")
    try:
        key = b64url_decode(jwk["k"])
    except ValueError as exc:
        raise MslError("INVALID_JWK", "k not base64url") from exc
    if len(key) != length:
        raise MslError("SESSION_KEY_CREATION_FAILURE", "k has the wrong length")
    return key


def jwe_parse(data):
    """Returns (header_b64, ecek_b64, iv_b64, ct_b64, tag_b64) of either serialization."""
    try:
        text = data.decode("ascii")
    except UnicodeDecodeError as exc:
        raise MslError("JWE_PARSE_ERROR", "not ASCII") from exc
    if text.startswith("{"):
        try:
            obj = parse_json(text)
            recipient = obj["recipients"][0]
            parts = (recipient["header"], recipient["encrypted_key"], obj["initialization_vector"],
                     obj["ciphertext"], recipient["integrity_value"])
        except (_JSONError, KeyError, IndexError, TypeError) as exc:
            raise MslError("JWE_PARSE_ERROR", "JSON serialization") from exc
        if not all(isinstance(part, str) for part in parts):
            raise MslError("JWE_PARSE_ERROR", "JSON serialization member type")
    else:
        parts = tuple(text.split("."))
        if len(parts) != 5:
            raise MslError("JWE_PARSE_ERROR", "compact part count")
    if any(part == "" for part in parts):
        raise MslError("JWE_PARSE_ERROR", "empty part")
    return parts


def jwe_unwrap(data, private_key, length):
    header_b64, ecek_b64, iv_b64, ct_b64, tag_b64 = jwe_parse(data)
    try:
        header = parse_json(b64url_decode(header_b64))
        ecek, iv, ciphertext, tag = (b64url_decode(x) for x in (ecek_b64, iv_b64, ct_b64, tag_b64))
    except (ValueError, _JSONError) as exc:
        raise MslError("JWE_PARSE_ERROR", "part not base64url / header not JSON") from exc
    if not isinstance(header, dict):
        raise MslError("JWE_PARSE_ERROR", "header not an object")
    if header.get("alg") != "RSA-OAEP" or header.get("enc") != "A128GCM":
        raise MslError("JWE_ALGORITHM_MISMATCH", "header algorithms")
    cek = rsa_decrypt(private_key, ecek, OAEP_SHA1)
    if len(cek) != 16:
        raise MslError("INVALID_SYMMETRIC_KEY", "CEK length")
    if len(tag) != 16 or len(iv) != 12:
        raise MslError("INVALID_ALGORITHM_PARAMS", "tag or IV length")
    aad = (header_b64 + "." + ecek_b64 + "." + iv_b64).encode("ascii")
    try:
        plaintext = AESGCM(cek).decrypt(iv, ciphertext + tag, aad)
    except InvalidTag as exc:
        raise MslError("UNWRAP_ERROR", "GCM tag") from exc
    return jwk_key(plaintext, length)


def jwe_wrap(plaintext, public_key, compact, cek=None, iv=None, ecek=None, header=None):
    """Pre-RFC JWE as in §5.2. `ecek` and `header` may be given (deterministic/negative vectors)."""
    cek = cek if cek is not None else os.urandom(16)
    iv = iv if iv is not None else os.urandom(12)
    if ecek is None:
        ecek = public_key.encrypt(cek, OAEP_SHA1)
    header_b64 = b64url_encode(dumps(header or JWE_HEADER).encode("utf-8"))
    aad = header_b64 + "." + b64url_encode(ecek) + "." + b64url_encode(iv)
    sealed = AESGCM(cek).encrypt(iv, plaintext, aad.encode("ascii"))
    ciphertext, tag = sealed[:-16], sealed[-16:]
    if compact:
        return (aad + "." + b64url_encode(ciphertext) + "." + b64url_encode(tag)).encode("ascii")
    return dumps({"recipients": [{"header": header_b64, "encrypted_key": b64url_encode(ecek),
                                  "integrity_value": b64url_encode(tag)}],
                  "initialization_vector": b64url_encode(iv),
                  "ciphertext": b64url_encode(ciphertext)}).encode("utf-8")


def rsa_decrypt(private_key, data, pad):
    try:
        return private_key.decrypt(data, pad)
    except ValueError as exc:
        raise MslError("CIPHERTEXT_BAD_PADDING", "RSA decryption") from exc


def rsa_unwrap(mechanism, private_key, blob, length):
    if mechanism == "RSA":
        key = rsa_decrypt(private_key, blob, OAEP_SHA1)
        if len(key) != length:
            raise MslError("SESSION_KEY_CREATION_FAILURE", "raw key length")
        return key
    if mechanism == "JWK_RSA":
        return jwk_key(rsa_decrypt(private_key, blob, OAEP_SHA1), length)
    if mechanism == "JWK_RSAES":
        return jwk_key(rsa_decrypt(private_key, blob, padding.PKCS1v15()), length)
    if mechanism in ("JWE_RSA", "JWEJS_RSA"):
        return jwe_unwrap(blob, private_key, length)
    if mechanism == "ECC":
        raise MslError("UNSUPPORTED_KEYX_MECHANISM", mechanism)
    raise MslError("UNIDENTIFIED_KEYX_MECHANISM", mechanism)


def rsa_wrap(mechanism, public_key, key, kind):
    """Issuer side of §5.2 (used by make_vectors.py and self-tests)."""
    if mechanism == "RSA":
        return public_key.encrypt(key, OAEP_SHA1)
    if mechanism == "JWK_RSA":
        return public_key.encrypt(jwk_bytes(key, kind, "key_ops"), OAEP_SHA1)
    if mechanism == "JWK_RSAES":
        return public_key.encrypt(jwk_bytes(key, kind, "key_ops"), padding.PKCS1v15())
    return jwe_wrap(jwk_bytes(key, kind, "use"), public_key, mechanism == "JWE_RSA")


class RSARequest:
    scheme = "ASYMMETRIC_WRAPPED"

    def __init__(self, mechanism):
        self.mechanism = mechanism
        self.keypairid = "msl-peer-" + secrets.token_hex(8)
        self.private = rsa.generate_private_key(public_exponent=65537, key_size=2048)

    def offer(self):
        spki = self.private.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
        return {"scheme": self.scheme, "keydata": {
            "keypairid": self.keypairid, "mechanism": self.mechanism, "publickey": b64encode(spki)}}

    def finish(self, keydata):
        keypairid = member(keydata, "keypairid", "string", "MSL_PARSE_ERROR")
        enc_blob = member(keydata, "encryptionkey", "binary", "MSL_PARSE_ERROR")
        hmac_blob = member(keydata, "hmackey", "binary", "MSL_PARSE_ERROR")
        if keypairid != self.keypairid:
            raise MslError("KEYX_RESPONSE_REQUEST_MISMATCH", "keypairid")
        return (rsa_unwrap(self.mechanism, self.private, enc_blob, 16),
                rsa_unwrap(self.mechanism, self.private, hmac_blob, 32))


# ---------------------------------------------------------------------------------------------
# SYMMETRIC_WRAPPED (§5.3)

PSK_SALT = bytes.fromhex("027617984f6227539a630b897c017d69")
PSK_INFO = bytes.fromhex("809f82a7addf548d3ea9dd067ff9bb91")


def derive_kpw(kpe, kph):
    prk = hmac.new(PSK_SALT, kpe + kph, hashlib.sha256).digest()
    return hmac.new(prk, PSK_INFO, hashlib.sha256).digest()[:16]


def key_unwrap(kpw, blob, length):
    try:
        key = aes_key_unwrap(kpw, blob)
    except (InvalidUnwrap, ValueError) as exc:
        raise MslError("UNWRAP_ERROR", "AES key unwrap") from exc
    if len(key) != length:
        raise MslError("SESSION_KEY_CREATION_FAILURE", "unwrapped key length")
    return key


class PSKRequest:
    scheme = "SYMMETRIC_WRAPPED"

    def __init__(self, keyid, psk):
        self.keyid = keyid
        self.kpw = derive_kpw(*psk) if psk else None

    def offer(self):
        return {"scheme": self.scheme, "keydata": {"keyid": self.keyid}}

    def finish(self, keydata):
        keyid = member(keydata, "keyid", "string", "MSL_PARSE_ERROR")
        enc_blob = member(keydata, "encryptionkey", "binary", "MSL_PARSE_ERROR")
        hmac_blob = member(keydata, "hmackey", "binary", "MSL_PARSE_ERROR")
        if keyid != self.keyid:
            raise MslError("KEYX_RESPONSE_REQUEST_MISMATCH", "keyid")
        if self.kpw is None:  # no --psk: we hold no wrapping key
            raise MslError("KEYX_PRIVATE_KEY_MISSING", "no pre-shared keys given")
        return key_unwrap(self.kpw, enc_blob, 16), key_unwrap(self.kpw, hmac_blob, 32)


# ---------------------------------------------------------------------------------------------
# Master token (§6)


class IssuerKeys:
    def __init__(self, kid, enc, hmac_key):
        self.kid, self.enc, self.hmac = kid, enc, hmac_key


def aes_cbc_encrypt(key, iv, plaintext):
    padder = sympadding.PKCS7(128).padder()
    data = padder.update(plaintext) + padder.finalize()
    encryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
    return encryptor.update(data) + encryptor.finalize()


def aes_cbc_decrypt(key, iv, ciphertext):
    if len(ciphertext) == 0 or len(ciphertext) % 16 != 0:
        raise MslError("CIPHERTEXT_BAD_PADDING", "ciphertext length")
    decryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).decryptor()
    data = decryptor.update(ciphertext) + decryptor.finalize()
    unpadder = sympadding.PKCS7(128).unpadder()
    try:
        return unpadder.update(data) + unpadder.finalize()
    except ValueError as exc:
        raise MslError("CIPHERTEXT_BAD_PADDING", "PKCS#7 padding") from exc


def mint_token(issuer, identity, renewalwindow, expiration, sequence, serial, enc_key, hmac_key,
               iv=None, issuerdata=None, envelope_version=1, signature_version=1):
    sessiondata = {"identity": identity, "encryptionkey": b64encode(enc_key),
                   "encryptionalgorithm": "AES", "hmackey": b64encode(hmac_key),
                   "signaturekey": b64encode(hmac_key), "signaturealgorithm": "HmacSHA256"}
    if issuerdata is not None:
        sessiondata["issuerdata"] = issuerdata
    iv = iv if iv is not None else os.urandom(16)
    ciphertext = aes_cbc_encrypt(issuer.enc, iv, dumps(sessiondata).encode("utf-8"))
    if envelope_version == 1:
        envelope = {"keyid": issuer.kid, "iv": b64encode(iv), "ciphertext": b64encode(ciphertext),
                    "sha256": "AA=="}
    else:
        envelope = {"version": 2, "cipherspec": "AES/CBC/PKCS5Padding", "iv": b64encode(iv),
                    "ciphertext": b64encode(ciphertext)}
    tokendata = dumps({"renewalwindow": renewalwindow, "expiration": expiration,
                       "sequencenumber": sequence, "serialnumber": serial,
                       "sessiondata": b64encode(dumps(envelope).encode("utf-8"))}).encode("utf-8")
    mac = hmac.new(issuer.hmac, tokendata, hashlib.sha256).digest()
    if signature_version == 2:
        mac = dumps({"version": 2, "algorithm": "HmacSHA256", "signature": b64encode(mac)}).encode()
    return {"tokendata": b64encode(tokendata), "signature": b64encode(mac)}


def _signature_mac(signature):
    """Version 1 = raw MAC bytes; version 2 = JSON envelope (§6). None if unusable."""
    if signature[:1] == b"{":
        try:
            envelope = parse_json(signature)
        except _JSONError:
            return signature
        if isinstance(envelope, dict) and "version" in envelope:
            if as_int(envelope.get("version")) != 2 or envelope.get("algorithm") != "HmacSHA256":
                return None
            try:
                return b64decode(envelope.get("signature"))
            except ValueError:
                return None
    return signature


def _decrypt_envelope(issuer, sessiondata):
    try:
        envelope = parse_json(sessiondata)
    except _JSONError as exc:
        raise MslError("CIPHERTEXT_ENVELOPE_PARSE_ERROR", "not JSON") from exc
    if not isinstance(envelope, dict):
        raise MslError("CIPHERTEXT_ENVELOPE_PARSE_ERROR", "not an object")
    err = "CIPHERTEXT_ENVELOPE_PARSE_ERROR"
    if "version" in envelope:
        if as_int(envelope["version"]) != 2:
            raise MslError(err, "unknown envelope version")
        if member(envelope, "cipherspec", "string", err) != "AES/CBC/PKCS5Padding":
            raise MslError(err, "cipherspec")
    else:
        if member(envelope, "keyid", "string", err) != issuer.kid:
            raise MslError("MASTERTOKEN_UNTRUSTED", "issuer key id not held")
    iv = member(envelope, "iv", "binary", err)
    ciphertext = member(envelope, "ciphertext", "binary", err)
    if len(iv) != 16:
        raise MslError(err, "IV length")
    return aes_cbc_decrypt(issuer.enc, iv, ciphertext)


def read_token(token, issuer):
    """§6 reading rules. Returns a dict with the plaintext fields and, if verified, the session data."""
    if not isinstance(token, dict):
        raise MslError("MSL_PARSE_ERROR", "mastertoken not an object")
    tokendata = member(token, "tokendata", "binary", "MSL_PARSE_ERROR")
    signature = member(token, "signature", "binary", "MSL_PARSE_ERROR")
    if len(tokendata) == 0:
        raise MslError("MASTERTOKEN_TOKENDATA_MISSING")
    perr = "MASTERTOKEN_TOKENDATA_PARSE_ERROR"
    try:
        data = parse_json(tokendata)
    except _JSONError as exc:
        raise MslError(perr, "tokendata not JSON") from exc
    if not isinstance(data, dict):
        raise MslError(perr, "tokendata not an object")
    fields = {name: member(data, name, "int", perr)
              for name in ("renewalwindow", "expiration", "sequencenumber", "serialnumber")}
    for name in ("renewalwindow", "expiration"):
        if abs(fields[name]) > MAX_INT:
            raise MslError(perr, name + " beyond 2^53")
    sessiondata = member(data, "sessiondata", "binary", perr)
    if fields["expiration"] < fields["renewalwindow"]:
        raise MslError("MASTERTOKEN_EXPIRES_BEFORE_RENEWAL")
    if not 0 <= fields["sequencenumber"] <= MAX_INT:
        raise MslError("MASTERTOKEN_SEQUENCE_NUMBER_OUT_OF_RANGE")
    if not 0 <= fields["serialnumber"] <= MAX_INT:
        raise MslError("MASTERTOKEN_SERIAL_NUMBER_OUT_OF_RANGE")
    if len(sessiondata) == 0:
        raise MslError("MASTERTOKEN_SESSIONDATA_MISSING")
    result = dict(fields, verified=False)
    if issuer is None:
        return result
    mac = _signature_mac(signature)
    expected = hmac.new(issuer.hmac, tokendata, hashlib.sha256).digest()
    if mac is None or not hmac.compare_digest(mac, expected):
        return result
    try:
        plaintext = _decrypt_envelope(issuer, sessiondata)
    except MslError as exc:
        if exc.name == "MASTERTOKEN_UNTRUSTED":  # a key id we do not hold: unverified (§6)
            return result
        raise
    serr = "MASTERTOKEN_SESSIONDATA_PARSE_ERROR"
    try:
        session = parse_json(plaintext)
    except _JSONError as exc:
        raise MslError(serr, "not JSON") from exc
    if not isinstance(session, dict):
        raise MslError(serr, "not an object")
    identity = member(session, "identity", "string", serr)
    enc_key = member(session, "encryptionkey", "binary", serr)
    if "signaturekey" in session:
        hmac_key = member(session, "signaturekey", "binary", serr)
    else:
        hmac_key = member(session, "hmackey", "binary", serr)
    if "issuerdata" in session:
        member(session, "issuerdata", "object", serr)
    for name, default in (("encryptionalgorithm", "AES"), ("signaturealgorithm", "HmacSHA256")):
        if name in session and member(session, name, "string", serr) != default:
            raise MslError("UNIDENTIFIED_ALGORITHM", name)
    if len(enc_key) != 16 or len(hmac_key) != 32:
        raise MslError("MASTERTOKEN_KEY_CREATION_ERROR", "key sizes")
    result.update(verified=True, identity=identity, encryptionkey=enc_key.hex(),
                  hmackey=hmac_key.hex())
    if "issuerdata" in session:
        result["issuerdata"] = session["issuerdata"]
    return result


def token_summary(info):
    """§10 `mastertoken` member of a request result."""
    out = {name: info[name] for name in
           ("renewalwindow", "expiration", "sequencenumber", "serialnumber", "verified")}
    if info["verified"]:
        out.update(identity=info["identity"], encryptionkey=info["encryptionkey"],
                   hmackey=info["hmackey"])
    return out


def extract_token(obj):
    """A mastertoken object, or anything holding one (keyresponsedata, a respond line)."""
    for _ in range(3):
        if isinstance(obj, dict) and "tokendata" not in obj:
            if "mastertoken" in obj:
                return obj["mastertoken"]
            if "keyresponsedata" in obj:
                obj = obj["keyresponsedata"]
                continue
        break
    return obj


# ---------------------------------------------------------------------------------------------
# Requester flow (§10)


def make_requests(args, schemes):
    requests = []
    for scheme in schemes:
        if scheme == "DIFFIE_HELLMAN":
            p, g = args.dh_sets[args.parametersid]
            requests.append(DHRequest(args.parametersid, p, g))
        elif scheme == "ASYMMETRIC_WRAPPED":
            requests.append(RSARequest(args.mechanism))
        elif scheme == "SYMMETRIC_WRAPPED":
            requests.append(PSKRequest(args.keyid, args.psk))
        else:  # extension for tests: a recognised/unknown scheme with empty keydata
            requests.append(RawOffer(scheme))
    return requests


class RawOffer:
    def __init__(self, scheme):
        self.scheme = scheme

    def offer(self):
        return {"scheme": self.scheme, "keydata": {}}

    def finish(self, keydata):
        raise MslError("KEYX_FACTORY_NOT_FOUND", self.scheme)


RESPONSE_KEYDATA = {
    "DIFFIE_HELLMAN": (("parametersid", "string"), ("publickey", "binary")),
    "ASYMMETRIC_WRAPPED": (("keypairid", "string"), ("encryptionkey", "binary"),
                           ("hmackey", "binary")),
    "SYMMETRIC_WRAPPED": (("keyid", "string"), ("encryptionkey", "binary"), ("hmackey", "binary")),
}


def parse_response_keydata(scheme, keydata):
    for name, kind in RESPONSE_KEYDATA[scheme]:
        member(keydata, name, kind, "MSL_PARSE_ERROR")
    if scheme == "DIFFIE_HELLMAN" and len(member(keydata, "publickey", "binary", "")) == 0:
        raise MslError("KEYX_INVALID_PUBLIC_KEY", "empty public key")


def finish_exchange(response, requests, issuer):
    """Process one keyresponsedata (already unwrapped from a respond line). Returns the §10 result."""
    if not isinstance(response, dict):
        raise MslError("MSL_PARSE_ERROR", "keyresponsedata not an object")
    token = member(response, "mastertoken", "object", "MSL_PARSE_ERROR")
    info = read_token(token, issuer)
    scheme = member(response, "scheme", "string", "MSL_PARSE_ERROR")
    if scheme in RECOGNISED_SCHEMES:
        raise MslError("KEYX_FACTORY_NOT_FOUND", scheme)
    if scheme not in IMPLEMENTED_SCHEMES:
        raise MslError("UNIDENTIFIED_KEYX_SCHEME", scheme)
    keydata = member(response, "keydata", "object", "MSL_PARSE_ERROR")
    parse_response_keydata(scheme, keydata)  # §2: keydata is parsed before any request is matched
    candidates = [r for r in requests if r.scheme == scheme]
    if not candidates:
        raise MslError("KEYX_RESPONSE_REQUEST_MISMATCH", "no request of scheme " + scheme)
    last = None
    for request in candidates:
        try:
            enc_key, hmac_key = request.finish(keydata)
            break
        except MslError as exc:
            last = exc
    else:
        raise last
    result = {"ok": True, "encryptionkey": enc_key.hex(), "hmackey": hmac_key.hex(),
              "mastertoken": token_summary(info)}
    if len(requests) > 1:  # extension: which of several offers was answered
        result["scheme"] = scheme
    return result, token, (enc_key, hmac_key)


def answer_line(line, requests, issuer):
    """One input line of `request`: returns the output object."""
    try:
        obj = parse_json(line)
    except _JSONError:
        return MslError("MSL_PARSE_ERROR", "not JSON").to_json()
    if isinstance(obj, dict) and obj.get("ok") is False:
        return obj
    if isinstance(obj, dict) and "keyresponsedata" in obj:
        obj = obj["keyresponsedata"]
    try:
        return finish_exchange(obj, requests, issuer)[0]
    except MslError as exc:
        return exc.to_json()


def emit(obj):
    sys.stdout.write(dumps(obj) + "\n")
    sys.stdout.flush()


def read_line():
    """One line of at most MAX_LINE bytes (without its newline); None at end of input; b"" + flag if too long."""
    data = sys.stdin.buffer.readline(MAX_LINE + 2)
    if not data:
        return None
    if not data.endswith(b"\n") and len(data) > MAX_LINE:
        while True:  # discard the rest of an over-long line
            more = sys.stdin.buffer.readline(65536)
            if not more or more.endswith(b"\n"):
                break
        return b"\x00too-long"
    data = data.rstrip(b"\n")
    if data.endswith(b"\r"):
        data = data[:-1]
    if len(data) > MAX_LINE:
        return b"\x00too-long"
    return data


def schemes_of(args):
    return [args.scheme] + [s for s in (args.offer_also or []) if s != args.scheme]


def cmd_request(args, renew):
    requests = make_requests(args, schemes_of(args))
    offers = [r.offer() for r in requests]
    if renew:
        emit({"keyrequestdata": offers, "mastertoken": args.mastertoken})
    elif args.wrap:  # `keymesh msl respond` takes several offers only in this form (§10)
        emit({"keyrequestdata": offers})
    else:
        emit(offers if len(offers) > 1 else offers[0])
    line = read_line()
    if line is None:
        return
    emit(answer_line(line, requests, args.issuer))


def cmd_verify(args):
    while True:
        line = read_line()
        if line is None:
            return
        try:
            obj = parse_json(line)
        except _JSONError:
            emit(MslError("MSL_PARSE_ERROR", "not JSON").to_json())
            continue
        try:
            info = read_token(extract_token(obj), args.issuer)
            if not info["verified"]:
                raise MslError("MASTERTOKEN_UNTRUSTED")
        except MslError as exc:
            emit(exc.to_json())
            continue
        out = {"ok": True}
        out.update(info)
        emit(out)


def cmd_mint(args):
    enc_key = args.encryptionkey if args.encryptionkey is not None else os.urandom(16)
    hmac_key = args.hmackey if args.hmackey is not None else os.urandom(32)
    token = mint_token(args.issuer, args.identity, args.renewal_window, args.expiration,
                       args.sequence, args.serial, enc_key, hmac_key, iv=args.iv,
                       issuerdata=args.issuerdata, envelope_version=args.envelope_version,
                       signature_version=args.signature_version)
    emit({"mastertoken": token, "encryptionkey": enc_key.hex(), "hmackey": hmac_key.hex()})


# ---------------------------------------------------------------------------------------------
# Server flow (§11)


def http_post(url, body, bearer=None, timeout=60):
    request = urllib.request.Request(url, data=dumps(body).encode("utf-8"), method="POST",
                                     headers={"Content-Type": "application/json"})
    if bearer is not None:
        request.add_header("Authorization", "Bearer " + bearer)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read(MAX_LINE + 1)
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read(MAX_LINE + 1)


def server_step(step, url, body, bearer, requests):
    """POST, then finish the exchange. Returns (line to print, token, keys) — token None on failure."""
    try:
        status, raw = http_post(url, body, bearer)
    except (urllib.error.URLError, OSError) as exc:
        return {"step": step, "ok": False, "error": "CONNECTION_ERROR", "detail": str(exc)}, None, None
    try:
        obj = parse_json(raw)
    except _JSONError:
        obj = None
    if status != 200:
        out = {"step": step, "ok": False, "status": status}
        if isinstance(obj, dict):
            for key, value in obj.items():
                out.setdefault(key, value)
        return out, None, None
    if not isinstance(obj, dict) or "keyresponsedata" not in obj:
        out = MslError("MSL_PARSE_ERROR", "no keyresponsedata").to_json()
        return dict(out, step=step, status=status), None, None
    try:
        result, token, keys = finish_exchange(obj["keyresponsedata"], requests, None)
    except MslError as exc:
        return dict(exc.to_json(), step=step, status=status), None, None
    info = read_token(token, None)
    out = {"step": step, "ok": True, "scheme": scheme_of(obj["keyresponsedata"]),
           "encryptionkey": result["encryptionkey"], "hmackey": result["hmackey"],
           "mastertoken": token, "sequencenumber": info["sequencenumber"],
           "serialnumber": info["serialnumber"], "renewalwindow": info["renewalwindow"],
           "expiration": info["expiration"]}
    return out, token, keys


def scheme_of(response):
    return response.get("scheme") if isinstance(response, dict) else None


def renew_body(args, token, hmac_key):
    requests = make_requests(args, schemes_of(args))
    header = {"keyrequestdata": [r.offer() for r in requests],
              "timestamp": int(time.time()) + args.timestamp_offset}
    headerdata = dumps(header).encode("utf-8")
    mac = hmac.new(hmac_key, headerdata, hashlib.sha256).digest()
    if args.bad_signature:
        mac = bytes([mac[0] ^ 1]) + mac[1:]
    body = {"mastertoken": token, "headerdata": b64encode(headerdata), "signature": b64encode(mac)}
    return body, requests


def cmd_server_token(args):
    base = args.url.rstrip("/")
    bearer = os.environ.get(args.access_token_env)
    if bearer is None:
        sys.stderr.write(f"environment variable {args.access_token_env} is not set\n")
        sys.exit(2)
    requests = make_requests(args, schemes_of(args))
    out, token, keys = server_step("token", base + "/_keymesh/msl/v1/token",
                                   {"keyrequestdata": [r.offer() for r in requests]},
                                   bearer, requests)
    emit(out)
    first = (token, keys)
    for _ in range(args.renewals):
        if token is None:
            return
        body, requests = renew_body(args, token, keys[1])
        out, token, keys = server_step("renew", base + "/_keymesh/msl/v1/renew", body, None,
                                       requests)
        emit(out)
    if args.replay_old and first[0] is not None and token is not None:
        body, requests = renew_body(args, first[0], first[1][1])
        emit(server_step("replay", base + "/_keymesh/msl/v1/renew", body, None, requests)[0])


# ---------------------------------------------------------------------------------------------
# Command line


def _hex(text, length=None):
    try:
        data = bytes.fromhex(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError("not hex") from exc
    if length is not None and len(data) != length:
        raise argparse.ArgumentTypeError(f"need {length} bytes")
    return data


def _keypair(text):
    enc, sep, mac = text.partition(":")
    if not sep:
        raise argparse.ArgumentTypeError("need ENCHEX:HMACHEX")
    return _hex(enc, 16), _hex(mac, 32)


def _dh_set(text):
    ident, sep, rest = text.partition("=")
    phex, sep2, ghex = rest.partition(":")
    if not sep or not sep2 or not ident:
        raise argparse.ArgumentTypeError("need ID=PHEX:GHEX")
    try:
        p, g = int(phex, 16), int(ghex, 16)
    except ValueError as exc:
        raise argparse.ArgumentTypeError("not hex") from exc
    if p.bit_length() < 512 or p.bit_length() > 8192 or p % 2 == 0 or not 2 <= g <= p - 2:
        raise argparse.ArgumentTypeError("refused DH parameters (§5.1)")
    return ident, (p, g)


def _json_object(text):
    try:
        value = parse_json(text)
    except _JSONError as exc:
        raise argparse.ArgumentTypeError("not JSON") from exc
    if not isinstance(value, dict):
        raise argparse.ArgumentTypeError("not a JSON object")
    return value


def add_scheme_options(parser, required):
    parser.add_argument("--scheme", required=required, choices=IMPLEMENTED_SCHEMES,
                        default="DIFFIE_HELLMAN")
    parser.add_argument("--mechanism", default="RSA",
                        help="RSA|JWK_RSA|JWK_RSAES|JWE_RSA|JWEJS_RSA (other strings are sent as is)")
    parser.add_argument("--parametersid", default="rfc3526-modp2048")
    parser.add_argument("--dh", action="append", type=_dh_set, default=[])
    parser.add_argument("--identity")
    parser.add_argument("--psk", type=_keypair, help="Kpe:Kph of --identity")
    parser.add_argument("--keyid", default="PSK", help="SYMMETRIC_WRAPPED keyid (default PSK)")
    parser.add_argument("--offer-also", action="append", metavar="SCHEME",
                        help="extra offer; recognised/unknown names are sent with empty keydata")
    add_issuer_options(parser, required=False)


def add_issuer_options(parser, required):
    parser.add_argument("--msl-key-id", required=required, default="keymesh")
    parser.add_argument("--msl-keys", required=required, type=_keypair)


def build_parser():
    parser = argparse.ArgumentParser(prog="msl_peer.py", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    request = sub.add_parser("request")
    add_scheme_options(request, required=True)
    request.add_argument("--wrap", action="store_true",
                         help='print {"keyrequestdata":[offers]} instead of a bare offer/array')
    renew = sub.add_parser("renew-request")
    add_scheme_options(renew, required=True)
    renew.add_argument("--mastertoken-file", required=True)
    add_issuer_options(sub.add_parser("verify"), required=True)
    server = sub.add_parser("server-token")
    add_scheme_options(server, required=False)
    server.add_argument("--url", required=True)
    server.add_argument("--access-token-env", required=True)
    server.add_argument("--renewals", type=int, default=1)
    server.add_argument("--replay-old", action="store_true",
                        help="afterwards renew the first token again (expect OUT_OF_SYNC)")
    server.add_argument("--timestamp-offset", type=int, default=0)
    server.add_argument("--bad-signature", action="store_true")
    mint = sub.add_parser("mint-token")
    add_issuer_options(mint, required=True)
    mint.add_argument("--identity", required=True)
    mint.add_argument("--renewal-window", type=int, required=True)
    mint.add_argument("--expiration", type=int, required=True)
    mint.add_argument("--sequence", type=int, required=True)
    mint.add_argument("--serial", type=int, required=True)
    mint.add_argument("--iv", type=lambda t: _hex(t, 16))
    mint.add_argument("--encryptionkey", type=lambda t: _hex(t, 16))
    mint.add_argument("--hmackey", type=lambda t: _hex(t, 32))
    mint.add_argument("--issuerdata", type=_json_object)
    mint.add_argument("--envelope-version", type=int, choices=(1, 2), default=1)
    mint.add_argument("--signature-version", type=int, choices=(1, 2), default=1)
    return parser


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    keys = getattr(args, "msl_keys", None)
    args.issuer = IssuerKeys(args.msl_key_id, *keys) if keys else None
    if hasattr(args, "dh"):
        args.dh_sets = dict(BUILTIN_DH)
        args.dh_sets.update(dict(args.dh))
        schemes = schemes_of(args)
        if "DIFFIE_HELLMAN" in schemes and args.parametersid not in args.dh_sets:
            parser.error("unknown --parametersid " + args.parametersid)
        if "SYMMETRIC_WRAPPED" in schemes and args.keyid == "PSK" and args.psk is None:
            parser.error("SYMMETRIC_WRAPPED with keyid PSK needs --identity and --psk")
    if args.command == "renew-request":
        try:
            with open(args.mastertoken_file, "rb") as handle:
                args.mastertoken = extract_token(parse_json(handle.read()))
        except (OSError, _JSONError) as exc:
            parser.error(f"--mastertoken-file: {exc}")
    if args.command in ("request", "renew-request"):
        cmd_request(args, renew=args.command == "renew-request")
    elif args.command == "verify":
        cmd_verify(args)
    elif args.command == "mint-token":
        cmd_mint(args)
    elif args.command == "server-token":
        cmd_server_token(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())

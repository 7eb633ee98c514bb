# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: 2026 KeyMesh contributors
"""Independent client peer for the KeyMesh secure channel, `keymesh` profile, version 1.

Written from docs/channel-protocol.md alone (no KeyMesh source was read), to show that the
specification is exact enough to interoperate. Section numbers (§n) refer to that page.

It implements the CLIENT side of stream mode (§2-§4, §6) and packet mode (§5) and talks to a
server in echo mode (the server sends every message it receives back, as one message).

Subcommands (each prints exactly one JSON line on stdout; exit 0 on success, 1 on failure):

  stream   --host H --port P --server-key HEX64 [--client-secret HEX64] [--sizes 0,5,...]
  replay   --host H --port P --server-key HEX64 [--client-secret HEX64]
  refused  --host H --port P --server-key HEX64 [--client-secret HEX64]
  packet   --host H --port P --server-key HEX64 [--count 5]
  selftest                       (no network: sizes and an in-process loopback of this encoder)

Dependencies: Python 3 standard library and PyNaCl.
"""

import argparse
import hmac
import json
import socket
import struct
import sys
import threading

from nacl.exceptions import CryptoError
from nacl.public import Box, PrivateKey, PublicKey
from nacl.utils import random as random_bytes

# --------------------------------------------------------------------------------------------
# §1 Notation and primitives
# --------------------------------------------------------------------------------------------

KEY_LEN = 32
NONCE_LEN = 24
TAG_LEN = 16  # Poly1305 tag; Box[X] is tag(16) || ciphertext, so len = len(X) + 16

PREFIX_HELLO = b"KeyMesh-Hello---"     # ECs <-> S, counter 0
PREFIX_VOUCH = b"KeyMesh-Vouch---"     # ECs <-> ES, counter 0
PREFIX_CLIENT_M = b"KeyMesh-Client-M"  # stream records client -> server
PREFIX_SERVER_M = b"KeyMesh-Server-M"  # stream records server -> client
PREFIX_CLIENT_P = b"KeyMesh-Client-P"  # packets client -> server
PREFIX_SERVER_P = b"KeyMesh-Server-P"  # packets server -> client

COUNTER_NEVER_SENT = 2**64 - 1  # §4: counter 2^64 - 1 is never sent


class ProtocolError(Exception):
    """The peer's input violates the specification (§6: close the connection)."""


class PeerEOF(Exception):
    """TCP end of stream. `clean` is True when it came on a frame boundary."""

    def __init__(self, clean):
        super().__init__("connection closed by peer" + ("" if clean else " in the middle of a frame"))
        self.clean = clean


def u64be(value):
    return struct.pack(">Q", value)


def short_term_nonce(prefix, counter):
    """§1: 16-byte ASCII prefix || u64be(counter)."""
    assert len(prefix) == 16
    return prefix + u64be(counter)


def box_seal(secret, public, plaintext, nonce):
    """§1 Box[X](As -> B, n) in the easy layout (tag then ciphertext)."""
    assert len(nonce) == NONCE_LEN
    return Box(secret, public).encrypt(plaintext, nonce).ciphertext


def box_open(secret, public, box, nonce):
    """§1 crypto_box_open_easy; raises ProtocolError on failure."""
    try:
        return Box(secret, public).decrypt(box, nonce)
    except CryptoError as exc:
        raise ProtocolError("box failed to open") from exc


# --------------------------------------------------------------------------------------------
# §2 Stream mode frames
# --------------------------------------------------------------------------------------------

FRAME_HELLO = 0x01
FRAME_COOKIE_ACK = 0x02
FRAME_VOUCH = 0x03
FRAME_RECORD = 0x04

HEADER_LEN = 5
HELLO_BODY_LEN = 81
COOKIE_ACK_BODY_LEN = 136
VOUCH_BODY_LEN = 152
RECORD_BODY_MIN = 25
RECORD_BODY_MAX = 65561

FRAME_LENGTHS = {
    FRAME_HELLO: (HELLO_BODY_LEN, HELLO_BODY_LEN),
    FRAME_COOKIE_ACK: (COOKIE_ACK_BODY_LEN, COOKIE_ACK_BODY_LEN),
    FRAME_VOUCH: (VOUCH_BODY_LEN, VOUCH_BODY_LEN),
    FRAME_RECORD: (RECORD_BODY_MIN, RECORD_BODY_MAX),
}


def encode_frame(ftype, body):
    lo, hi = FRAME_LENGTHS[ftype]
    assert lo <= len(body) <= hi, (ftype, len(body))
    return bytes([ftype]) + struct.pack(">I", len(body)) + body


def recv_exact(sock, n, at_boundary=False):
    """Read exactly n bytes, handling short reads. EOF raises PeerEOF."""
    buf = bytearray()
    while len(buf) < n:
        try:
            chunk = sock.recv(n - len(buf))
        except ConnectionResetError:
            chunk = b""  # a reset is an end of stream, never a clean one unless at a boundary
        if not chunk:
            raise PeerEOF(clean=at_boundary and not buf)
        buf += chunk
    return bytes(buf)


def read_frame(sock, expected_types):
    """§2: read the 5-byte header, check type and length BEFORE reading the body."""
    header = recv_exact(sock, HEADER_LEN, at_boundary=True)
    ftype = header[0]
    (length,) = struct.unpack(">I", header[1:5])
    if ftype not in FRAME_LENGTHS:
        raise ProtocolError("unknown frame type 0x%02x" % ftype)
    if ftype not in expected_types:
        raise ProtocolError("unexpected frame type 0x%02x in this state" % ftype)
    lo, hi = FRAME_LENGTHS[ftype]
    if not lo <= length <= hi:
        raise ProtocolError("frame type 0x%02x with bad length %d" % (ftype, length))
    return ftype, recv_exact(sock, length)


# --------------------------------------------------------------------------------------------
# §3 Handshake
# --------------------------------------------------------------------------------------------

HELLO_VERSION = 0x01


def hello(ecs, server_key, ctag):
    """§3.1 Hello body: version(1) || EC(32) || Box[Ctag](ECs -> S, Hello-prefix || 0)."""
    box = box_seal(ecs, server_key, ctag, short_term_nonce(PREFIX_HELLO, 0))
    body = bytes([HELLO_VERSION]) + bytes(ecs.public_key) + box
    assert len(body) == HELLO_BODY_LEN
    return body


def open_cookie_ack(body, ecs, server_key, ctag):
    """§3.2: open Box[ES || Ctag || Stag](Ss -> EC, Nk) with ECs; check Ctag in constant time."""
    if len(body) != COOKIE_ACK_BODY_LEN:
        raise ProtocolError("Cookie-ack body length %d" % len(body))
    nk, box = body[:NONCE_LEN], body[NONCE_LEN:]
    plain = box_open(ecs, server_key, box, nk)
    es, echoed_ctag, stag = plain[0:32], plain[32:64], plain[64:96]
    if not hmac.compare_digest(echoed_ctag, ctag):
        raise ProtocolError("Cookie-ack echoes the wrong Ctag: server not authenticated")
    return PublicKey(es), stag


def vouch(ecs, es, client_secret, server_key, stag):
    """§3.3: V = Box[EC || Stag](Cs -> S, Nv); body = Box[C || Nv || V](ECs -> ES, Vouch || 0)."""
    nv = random_bytes(NONCE_LEN)
    v = box_seal(client_secret, server_key, bytes(ecs.public_key) + stag, nv)
    assert len(v) == 80
    inner = bytes(client_secret.public_key) + nv + v
    body = box_seal(ecs, es, inner, short_term_nonce(PREFIX_VOUCH, 0))
    assert len(body) == VOUCH_BODY_LEN
    return body


def handshake(sock, server_key, client_secret):
    """§3: Hello, Cookie-ack (Ctag check), Vouch. Returns an established Stream."""
    ecs = PrivateKey.generate()
    ctag = random_bytes(32)
    sock.sendall(encode_frame(FRAME_HELLO, hello(ecs, server_key, ctag)))
    try:
        _, body = read_frame(sock, {FRAME_COOKIE_ACK})
    except PeerEOF as exc:
        raise ProtocolError("server closed the connection during the handshake") from exc
    es, stag = open_cookie_ack(body, ecs, server_key, ctag)
    sock.sendall(encode_frame(FRAME_VOUCH, vouch(ecs, es, client_secret, server_key, stag)))
    return Stream(sock, Box(ecs, es))


# --------------------------------------------------------------------------------------------
# §4 Records
# --------------------------------------------------------------------------------------------

KIND_FINAL = 0x00
KIND_MORE = 0x01
KIND_CLOSE = 0x02
CHUNK_MAX = 65536
DEFAULT_MAX_MESSAGE = 1 << 20  # 1 MiB
MAX_MAX_MESSAGE = 16 << 20     # 16 MiB

# §6 close reasons
REASON_NORMAL = 0x00
REASON_PROTOCOL = 0x01
REASON_TOO_LARGE = 0x02
REASON_NOT_ALLOWED = 0x03
REASON_TIMEOUT = 0x04


def seal_record(box, counter, kind, data, prefix=PREFIX_CLIENT_M):
    """§4 Record body: counter(8) || Box[kind || data](prefix || u64be(counter))."""
    if counter >= COUNTER_NEVER_SENT:
        raise ProtocolError("send counter exhausted")
    if kind in (KIND_FINAL, KIND_MORE) and len(data) > CHUNK_MAX:
        raise ValueError("chunk too large")
    nonce = short_term_nonce(prefix, counter)
    return u64be(counter) + box.encrypt(bytes([kind]) + data, nonce).ciphertext


def open_record(box, expected_counter, body, prefix=PREFIX_SERVER_M):
    """§4: the counter must equal the expected one, then the box must open. Returns (kind, data)."""
    if not RECORD_BODY_MIN <= len(body) <= RECORD_BODY_MAX:
        raise ProtocolError("record body length %d" % len(body))
    (counter,) = struct.unpack(">Q", body[:8])
    if counter != expected_counter:
        raise ProtocolError("record counter %d, expected %d" % (counter, expected_counter))
    try:
        plain = box.decrypt(body[8:], short_term_nonce(prefix, counter))
    except CryptoError as exc:
        raise ProtocolError("record box failed to open") from exc
    kind, data = plain[0], plain[1:]
    if kind == KIND_FINAL:
        pass  # 0 ... 65536 bytes; the frame length bound already implies <= 65536
    elif kind == KIND_MORE:
        if len(data) < 1:
            raise ProtocolError("empty non-final chunk")
    elif kind == KIND_CLOSE:
        if len(data) != 1:
            raise ProtocolError("Close with %d data bytes" % len(data))
    else:
        raise ProtocolError("unknown record kind 0x%02x" % kind)
    return kind, data


def chunk_message(data):
    """§4: zero or more 0x01 chunks (1..65536 bytes) then one 0x00 chunk (0..65536 bytes)."""
    chunks = []
    offset = 0
    while len(data) - offset > CHUNK_MAX:
        chunks.append((KIND_MORE, data[offset:offset + CHUNK_MAX]))
        offset += CHUNK_MAX
    chunks.append((KIND_FINAL, data[offset:]))
    return chunks


class Stream:
    """An established stream connection (one side's view); both directions share one Box."""

    def __init__(self, sock, box, send_prefix=PREFIX_CLIENT_M, recv_prefix=PREFIX_SERVER_M):
        self.sock = sock
        self.box = box
        self.send_prefix = send_prefix
        self.recv_prefix = recv_prefix
        self.send_counter = 0
        self.recv_counter = 0
        self.peer_closed = False

    def record_frame(self, kind, data):
        """Seal the next record and advance the send counter; returns the frame bytes."""
        body = seal_record(self.box, self.send_counter, kind, data, self.send_prefix)
        self.send_counter += 1
        return encode_frame(FRAME_RECORD, body)

    def send_record(self, kind, data):
        frame = self.record_frame(kind, data)
        self.sock.sendall(frame)
        return frame

    def send_message(self, data):
        for kind, chunk in chunk_message(data):
            self.send_record(kind, chunk)

    def send_close(self, reason):
        self.send_record(KIND_CLOSE, bytes([reason]))

    def recv_record(self):
        """Read one Record frame and open it (§2, §4). Raises PeerEOF / ProtocolError."""
        if self.peer_closed:
            raise ProtocolError("record after a Close")
        _, body = read_frame(self.sock, {FRAME_RECORD})
        kind, data = open_record(self.box, self.recv_counter, body, self.recv_prefix)
        self.recv_counter += 1
        if kind == KIND_CLOSE:
            self.peer_closed = True
        return kind, data

    def recv_message(self, max_size=DEFAULT_MAX_MESSAGE):
        """Reassemble one message (§4). Returns ("message", bytes) or ("close", reason)."""
        parts = []
        total = 0
        while True:
            try:
                kind, data = self.recv_record()
            except PeerEOF as exc:
                if parts or not exc.clean:
                    raise ProtocolError("connection lost in the middle of a message") from exc
                raise
            if kind == KIND_CLOSE:
                return "close", data[0]
            total += len(data)
            if total > max_size:
                raise ProtocolError("message exceeds the maximum of %d bytes" % max_size)
            parts.append(data)
            if kind == KIND_FINAL:
                return "message", b"".join(parts)


def expect_eof(sock):
    """After a Close record (§6) the peer closes TCP: nothing more may arrive."""
    try:
        extra = sock.recv(1)
    except ConnectionResetError:
        return
    if extra:
        raise ProtocolError("data after the Close record")


# --------------------------------------------------------------------------------------------
# §5 Packet mode
# --------------------------------------------------------------------------------------------

PACKET_CLIENT = 0x11
PACKET_SERVER = 0x12
PACKET_BOX_MIN = 17
PACKET_BOX_MAX = 65017
PACKET_DATA_MAX = 65000
CLIENT_PACKET_HEADER = 1 + 32 + 8
SERVER_PACKET_HEADER = 1 + 8
WINDOW_SIZE = 2048


class ReplayWindow:
    """§5: RFC 6479 style sliding window of 2048 counters (bit d set = counter top-d accepted)."""

    def __init__(self, size=WINDOW_SIZE):
        self.size = size
        self.top = -1
        self.bits = 0

    def check(self, counter):
        if counter > self.top:
            return True
        distance = self.top - counter
        if distance >= self.size:  # more than size-1 below the highest: too old
            return False
        return not (self.bits >> distance) & 1

    def accept(self, counter):
        """Call only after check() passed AND the box opened (the window moves only then)."""
        if counter > self.top:
            self.bits = ((self.bits << (counter - self.top)) | 1) & ((1 << self.size) - 1)
            self.top = counter
        else:
            self.bits |= 1 << (self.top - counter)


def seal_packet(ecs, server_key, counter, kind, data):
    """§5 client -> server: 0x11 || EC || u64be(counter) || Box[kind||data](ECs -> S, Client-P)."""
    if kind == KIND_FINAL and len(data) > PACKET_DATA_MAX:
        raise ValueError("packet data too large")
    box = box_seal(ecs, server_key, bytes([kind]) + data, short_term_nonce(PREFIX_CLIENT_P, counter))
    return bytes([PACKET_CLIENT]) + bytes(ecs.public_key) + u64be(counter) + box


def open_server_packet(box, window, datagram):
    """§5 server -> client. Returns (counter, kind, data) or None (dropped silently)."""
    if len(datagram) < SERVER_PACKET_HEADER + PACKET_BOX_MIN:
        return None
    if len(datagram) > SERVER_PACKET_HEADER + PACKET_BOX_MAX or datagram[0] != PACKET_SERVER:
        return None
    (counter,) = struct.unpack(">Q", datagram[1:9])
    if not window.check(counter):
        return None
    try:
        plain = box.decrypt(datagram[9:], short_term_nonce(PREFIX_SERVER_P, counter))
    except CryptoError:
        return None
    kind, data = plain[0], plain[1:]
    if kind not in (KIND_FINAL, KIND_CLOSE) or (kind == KIND_CLOSE and len(data) != 1):
        return None  # ambiguity: the spec does not say whether the window moves here
    window.accept(counter)
    return counter, kind, data


# --------------------------------------------------------------------------------------------
# Test scenarios (client side)
# --------------------------------------------------------------------------------------------

SOCKET_TIMEOUT = 10.0


def test_message(index, size):
    """Deterministic, non-zero content; period 251 so it never aligns with 65536-byte chunks."""
    return bytes((i * 7 + index * 13 + 1) % 251 for i in range(size))


def connect(host, port):
    sock = socket.create_connection((host, port), timeout=SOCKET_TIMEOUT)
    sock.settimeout(SOCKET_TIMEOUT)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def client_keys(secret_hex):
    """Long-term client key; a random one (anonymous client, §3.3) when none is given."""
    return PrivateKey(bytes.fromhex(secret_hex)) if secret_hex else PrivateKey.generate()


def run_stream(sock, server_key, client_secret, sizes):
    stream = handshake(sock, server_key, client_secret)
    max_size = max([DEFAULT_MAX_MESSAGE] + [min(s, MAX_MAX_MESSAGE) for s in sizes])
    echoed = 0
    for index, size in enumerate(sizes):
        sent = test_message(index, size)
        stream.send_message(sent)
        try:
            what, value = stream.recv_message(max_size)
        except PeerEOF as exc:
            raise ProtocolError("connection lost (no Close) waiting for echo %d" % index) from exc
        if what == "close":
            raise ProtocolError("server closed with reason %d instead of echoing message %d"
                                % (value, index))
        if not hmac.compare_digest(value, sent):
            raise ProtocolError("echo %d differs (%d bytes sent, %d received)"
                                % (index, len(sent), len(value)))
        echoed += 1
    stream.send_close(REASON_NORMAL)
    server_closed_with = None
    try:
        kind, data = stream.recv_record()
    except PeerEOF as exc:
        if not exc.clean:
            raise ProtocolError("connection cut in the middle of a frame after Close") from exc
    else:
        if kind != KIND_CLOSE:
            raise ProtocolError("server sent a record of kind %d after our Close" % kind)
        server_closed_with = data[0]
        expect_eof(sock)
    return {"ok": True, "mode": "stream", "echoed": echoed,
            "client_key": bytes(client_secret.public_key).hex(),
            "server_closed_with": server_closed_with}


def run_replay(sock, server_key, client_secret):
    stream = handshake(sock, server_key, client_secret)
    frame = stream.send_record(KIND_FINAL, b"first")  # counter 0
    what, value = stream.recv_message()
    if what != "message" or value != b"first":
        raise ProtocolError("expected the echo of 'first', got %s %r" % (what, value))
    sock.sendall(frame)  # the exact same Record frame again: counter 0, a replay
    sock.settimeout(5.0)
    reason = None
    try:
        kind, data = stream.recv_record()
    except PeerEOF:
        return {"ok": True, "mode": "replay", "closed": True, "reason": None}
    except socket.timeout as exc:
        raise ProtocolError("connection still open 5 s after the replayed record") from exc
    if kind != KIND_CLOSE:
        raise ProtocolError("server answered the replayed record (kind %d, %r)" % (kind, data))
    reason = data[0]
    try:
        expect_eof(sock)
    except socket.timeout as exc:
        raise ProtocolError("TCP still open 5 s after the server's Close") from exc
    return {"ok": True, "mode": "replay", "closed": True, "reason": reason}


def run_refused(sock, server_key, client_secret):
    stream = handshake(sock, server_key, client_secret)
    try:
        kind, data = stream.recv_record()
    except PeerEOF as exc:
        raise ProtocolError("connection closed without a Close record") from exc
    except socket.timeout as exc:
        raise ProtocolError("no record from the server within %g s (client accepted?)"
                            % SOCKET_TIMEOUT) from exc
    if kind != KIND_CLOSE:
        raise ProtocolError("first server record is kind %d, not a Close" % kind)
    if data[0] != REASON_NOT_ALLOWED:
        raise ProtocolError("Close reason %d, expected 3" % data[0])
    expect_eof(sock)
    return {"ok": True, "mode": "refused", "reason": data[0]}


def run_idle(sock, server_key, client_secret):
    """Stay silent once established: a server with an idle timeout closes with reason 0x04 (§6)."""
    stream = handshake(sock, server_key, client_secret)
    try:
        kind, data = stream.recv_record()
    except PeerEOF as exc:
        raise ProtocolError("connection closed without a Close record") from exc
    except socket.timeout as exc:
        raise ProtocolError("no Close within %g s of silence" % SOCKET_TIMEOUT) from exc
    if kind != KIND_CLOSE:
        raise ProtocolError("server sent record kind %d, not a Close" % kind)
    expect_eof(sock)
    return {"ok": True, "mode": "idle", "reason": data[0]}


def run_packet(sock, server_key, count):
    ecs = PrivateKey.generate()
    box = Box(ecs, server_key)  # X25519(ECs, S) = X25519(Ss, EC): opens the server's packets
    window = ReplayWindow()
    datagrams = [seal_packet(ecs, server_key, i, KIND_FINAL, b"packet-%d" % i) for i in range(count)]
    expected = {b"packet-%d" % i: i for i in range(count)}
    received = set()
    for d in datagrams:
        sock.send(d)
    retries = 0
    sock.settimeout(2.0)
    while len(received) < count:
        try:
            datagram = sock.recv(70000)
        except socket.timeout:
            if retries == 3:
                raise ProtocolError("no echo for %s after 3 retries"
                                    % sorted(set(range(count)) - {expected[m] for m in received}))
            retries += 1
            for msg, i in expected.items():
                if msg not in received:
                    sock.send(datagrams[i])  # same bytes: the server's window drops it if seen
            continue
        opened = open_server_packet(box, window, datagram)
        if opened is None:
            continue
        _, kind, data = opened
        if kind == KIND_CLOSE:
            raise ProtocolError("server sent a packet Close with reason %d" % data[0])
        if data not in expected:
            raise ProtocolError("unexpected packet message %r" % data)
        if data in received:
            raise ProtocolError("message %r echoed twice" % data)
        received.add(data)
    sock.send(datagrams[0])  # an exact duplicate of packet 0: a replay
    sock.settimeout(1.0)
    duplicate_echoed = False
    try:
        while True:
            if open_server_packet(box, window, sock.recv(70000)) is not None:
                duplicate_echoed = True
                break
    except socket.timeout:
        pass
    if duplicate_echoed:
        raise ProtocolError("the server answered a replayed packet")
    return {"ok": True, "mode": "packet", "echoed": len(received), "duplicate_echoed": False}


# --------------------------------------------------------------------------------------------
# selftest: sizes (§11) and an in-process loopback against a minimal spec server
# --------------------------------------------------------------------------------------------

def _server_handshake(sock, ss, allowed):
    """Minimal server side of §3, used only by selftest. Returns (Stream, C, refused)."""
    _, body = read_frame(sock, {FRAME_HELLO})
    if body[0] != HELLO_VERSION:
        raise ProtocolError("bad version")
    ec = PublicKey(body[1:33])
    ctag = box_open(ss, ec, body[33:], short_term_nonce(PREFIX_HELLO, 0))
    esk = PrivateKey.generate()
    stag = random_bytes(32)
    nk = random_bytes(NONCE_LEN)
    ack = nk + box_seal(ss, ec, bytes(esk.public_key) + ctag + stag, nk)
    sock.sendall(encode_frame(FRAME_COOKIE_ACK, ack))
    _, body = read_frame(sock, {FRAME_VOUCH})
    inner = box_open(esk, ec, body, short_term_nonce(PREFIX_VOUCH, 0))
    c, nv, v = PublicKey(inner[:32]), inner[32:56], inner[56:]
    proof = box_open(ss, c, v, nv)
    if not hmac.compare_digest(proof, bytes(ec) + stag):
        raise ProtocolError("bad vouch")
    stream = Stream(sock, Box(esk, ec), send_prefix=PREFIX_SERVER_M, recv_prefix=PREFIX_CLIENT_M)
    return stream, c, allowed is not None and bytes(c) not in allowed


def _server_echo(sock, ss, allowed, reply_close):
    try:
        stream, _, refused = _server_handshake(sock, ss, allowed)
        if refused:
            stream.send_close(REASON_NOT_ALLOWED)
            return
        while True:
            try:
                what, value = stream.recv_message(MAX_MAX_MESSAGE)
            except ProtocolError:
                stream.send_close(REASON_PROTOCOL)
                return
            if what == "close":
                if reply_close:
                    stream.send_close(REASON_NORMAL)
                return
            stream.send_message(value)
    except (PeerEOF, ProtocolError, OSError):
        return
    finally:
        sock.close()


def _loopback(run, ss, allowed=None, reply_close=True):
    client_sock, server_sock = socket.socketpair()
    client_sock.settimeout(SOCKET_TIMEOUT)
    server = threading.Thread(target=_server_echo, args=(server_sock, ss, allowed, reply_close))
    server.start()
    try:
        return run(client_sock)
    finally:
        client_sock.close()
        server.join(SOCKET_TIMEOUT)


def selftest():
    ss = PrivateKey.generate()
    s = ss.public_key
    cs = PrivateKey.generate()
    ecs = PrivateKey.generate()
    esk = PrivateKey.generate()
    ctag, stag = random_bytes(32), random_bytes(32)

    # §3 / §11 handshake sizes, and that each box opens as specified.
    h = hello(ecs, s, ctag)
    assert len(h) == 81 and len(encode_frame(FRAME_HELLO, h)) == 86
    assert box_open(ss, PublicKey(h[1:33]), h[33:], short_term_nonce(PREFIX_HELLO, 0)) == ctag
    nk = random_bytes(24)
    ack = nk + box_seal(ss, ecs.public_key, bytes(esk.public_key) + ctag + stag, nk)
    assert len(ack) == 136 and len(encode_frame(FRAME_COOKIE_ACK, ack)) == 141
    es, got_stag = open_cookie_ack(ack, ecs, s, ctag)
    assert bytes(es) == bytes(esk.public_key) and got_stag == stag
    try:
        open_cookie_ack(ack, ecs, s, random_bytes(32))
        raise AssertionError("wrong Ctag accepted")
    except ProtocolError:
        pass
    vb = vouch(ecs, es, cs, s, stag)
    assert len(vb) == 152 and len(encode_frame(FRAME_VOUCH, vb)) == 157

    # §4 / §11 record overhead: frame = 30 + n; body bounds 25 ... 65561.
    box = Box(ecs, es)
    for n in (0, 1, 1000, CHUNK_MAX):
        body = seal_record(box, 7, KIND_FINAL, b"\x5a" * n)
        assert len(encode_frame(FRAME_RECORD, body)) == 30 + n
    assert len(seal_record(box, 0, KIND_FINAL, b"")) == RECORD_BODY_MIN
    assert len(seal_record(box, 0, KIND_FINAL, b"x" * CHUNK_MAX)) == RECORD_BODY_MAX
    assert HEADER_LEN + RECORD_BODY_MAX == 65566
    server_box = Box(esk, ecs.public_key)
    body = seal_record(box, 3, KIND_MORE, b"abc")
    assert open_record(server_box, 3, body, PREFIX_CLIENT_M) == (KIND_MORE, b"abc")
    for bad in (lambda: open_record(server_box, 4, body, PREFIX_CLIENT_M),   # wrong counter
                lambda: open_record(server_box, 3, body, PREFIX_SERVER_M),   # wrong direction
                lambda: open_record(server_box, 3, body[:-1] + bytes([body[-1] ^ 1]),
                                    PREFIX_CLIENT_M)):                       # tampered
        try:
            bad()
            raise AssertionError("bad record accepted")
        except ProtocolError:
            pass

    # §4 chunking.
    assert chunk_message(b"") == [(KIND_FINAL, b"")]
    assert [k for k, _ in chunk_message(b"x" * 65536)] == [KIND_FINAL]
    assert [(k, len(d)) for k, d in chunk_message(b"x" * 65537)] == [(1, 65536), (0, 1)]
    assert [(k, len(d)) for k, d in chunk_message(b"x" * 200000)] == \
        [(1, 65536), (1, 65536), (1, 65536), (0, 3392)]
    assert all(test_message(0, 10)) and test_message(0, 10) != test_message(1, 10)

    # §5 / §11 packet sizes, directions and the replay window.
    p = seal_packet(ecs, s, 5, KIND_FINAL, b"x" * 10)
    assert len(p) == 58 + 10 and p[0] == 0x11 and p[1:33] == bytes(ecs.public_key)
    assert len(seal_packet(ecs, s, 0, KIND_FINAL, b"x" * PACKET_DATA_MAX)) == 41 + PACKET_BOX_MAX
    plain = Box(ss, ecs.public_key).decrypt(p[41:], short_term_nonce(PREFIX_CLIENT_P, 5))
    assert plain == b"\x00" + b"x" * 10
    reply = (bytes([PACKET_SERVER]) + u64be(9) +
             box_seal(ss, ecs.public_key, b"\x00hi", short_term_nonce(PREFIX_SERVER_P, 9)))
    assert len(reply) == 26 + 2
    window = ReplayWindow()
    client_box = Box(ecs, s)
    assert open_server_packet(client_box, window, reply) == (9, KIND_FINAL, b"hi")
    assert open_server_packet(client_box, window, reply) is None  # replay dropped
    w = ReplayWindow()
    w.accept(5000)
    assert w.check(4999) and w.check(5000 - 2047) and not w.check(5000 - 2048) and not w.check(5000)
    w.accept(2953)
    assert not w.check(2953) and w.check(2954) and w.check(6000)

    # Loopback of the scenarios against a minimal in-process server written from the spec.
    sizes = [0, 5, 1000, 65536, 65537, 131072, 200000]
    for reply_close in (True, False):
        res = _loopback(lambda c: run_stream(c, s, cs, sizes), ss, reply_close=reply_close)
        assert res["echoed"] == len(sizes), res
        assert res["server_closed_with"] == (0 if reply_close else None), res
    res = _loopback(lambda c: run_replay(c, s, cs), ss)
    assert res["closed"] and res["reason"] == REASON_PROTOCOL, res
    res = _loopback(lambda c: run_refused(c, s, cs), ss, allowed={b"\x01" * 32})
    assert res["reason"] == 3, res
    return {"ok": True}


# --------------------------------------------------------------------------------------------
# CLI
# --------------------------------------------------------------------------------------------

def parse_key(hex64, what):
    try:
        raw = bytes.fromhex(hex64)
    except ValueError:
        raw = b""
    if len(raw) != KEY_LEN:
        raise SystemExit(json.dumps({"ok": False, "error": "%s must be 64 hex digits" % what}))
    return raw


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="mode", required=True)
    for name in ("stream", "replay", "refused", "idle", "packet"):
        p = sub.add_parser(name)
        p.add_argument("--host", required=True)
        p.add_argument("--port", type=int, required=True)
        p.add_argument("--server-key", required=True, help="S, 64 hex digits")
        if name != "packet":
            p.add_argument("--client-secret", help="Cs, 64 hex digits (default: anonymous)")
        if name == "stream":
            p.add_argument("--sizes", default="0,5,1000,65536,65537,200000")
        if name == "packet":
            p.add_argument("--count", type=int, default=5)
    sub.add_parser("selftest")
    args = parser.parse_args(argv)

    try:
        if args.mode == "selftest":
            result = selftest()
        else:
            server_key = PublicKey(parse_key(args.server_key, "--server-key"))
            if args.mode == "packet":
                sock = socket.socket(socket.AF_INET6 if ":" in args.host else socket.AF_INET,
                                     socket.SOCK_DGRAM)
                try:
                    sock.connect((args.host, args.port))
                    result = run_packet(sock, server_key, args.count)
                finally:
                    sock.close()
            else:
                secret = args.client_secret
                if secret is not None:
                    parse_key(secret, "--client-secret")
                client_secret = client_keys(secret)
                sock = connect(args.host, args.port)
                try:
                    if args.mode == "stream":
                        sizes = [int(x) for x in args.sizes.split(",") if x.strip() != ""]
                        result = run_stream(sock, server_key, client_secret, sizes)
                    elif args.mode == "replay":
                        result = run_replay(sock, server_key, client_secret)
                    elif args.mode == "idle":
                        result = run_idle(sock, server_key, client_secret)
                    else:
                        result = run_refused(sock, server_key, client_secret)
                finally:
                    sock.close()
    except Exception as exc:  # any failure: one JSON line, exit 1
        print(json.dumps({"ok": False, "error": "%s: %s" % (type(exc).__name__, exc)}))
        sys.stdout.flush()
        return 1
    print(json.dumps(result))
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: 2026 KeyMesh contributors
"""A real, independent Matrix client (matrix-nio) that chats over Olm.

Swift tests run this script as a subprocess to prove that KeyMeshClient and
matrix-nio understand each other's Olm-encrypted to-device messages, in both
directions, through a KeyMesh server.

Usage:
    nio_chat.py --server URL --user NAME [--password PW] --store DIR [-v] COMMAND ...

Commands:
    register
        Register NAME (m.login.dummy; nio's one-shot request, or the two-step
        user-interactive flow if the server insists on a session), which also
        logs the new device in, then upload its device keys and one-time keys.
        Prints {"user_id", "device_id", "curve25519", "ed25519",
        "one_time_key_count"}.
    login
        Log in with the password.  If DIR already holds a device of this user
        the login asks for that device again (same device ID, same Olm account
        from DIR); otherwise it creates a new device.  Uploads keys if needed
        and tops up one-time keys.  Prints the same object as `register`, plus
        "reused_device": true/false.
    send --to USER_ID --type TYPE --text TEXT [--count N]
        Query USER_ID's devices, claim one-time keys and open Olm sessions for
        the devices without one, then send N (default 1) Olm-encrypted
        to-device events of type TYPE with content {"body": TEXT, "seq": i},
        i = 0..N-1, to every device of that user (except our own device).
        Prints one line per message:
            {"sent": i, "devices": [device IDs], "olm_types": {device ID: 0|1}}
        (Olm message type 0 = pre-key message, 1 = normal message.)
        Fails before sending anything if a device has no Olm session after the
        claim (e.g. it has no one-time keys left).
    listen --count N --timeout SECONDS [--type TYPE]
        Sync until N decrypted to-device events (of TYPE; default: any type
        but m.dummy) have arrived, or until the timeout.  Prints each one as
            {"sender", "sender_key", "type", "content",
             "sender_device", "sender_ed25519", "olm_type", "keys_match"}
        where sender_device and sender_ed25519 come from the decrypted Olm
        payload, olm_type is the Olm message type it arrived in, and
        keys_match says whether the device that published sender_key in
        /keys/query has the payload's keys.ed25519 (and its sender_device, if
        the payload names one).
        All events of the sync that completes the count are printed (so none
        is lost: the saved sync token acknowledges them), which can be more
        than N.  Exit status 0 if N arrived, 3 on timeout.

stdout carries JSON lines only; diagnostics go to stderr (-v: nio's debug
log too).  Exit status 0 on success, 1 on any failure (message on stderr),
2 for usage errors, 3 for a `listen` timeout.

State between invocations lives in DIR:
  * nio's SQLite store (SqliteStore): the Olm account, Olm sessions and the
    device keys nio has seen, in "<user_id>_<device_id>.db";
  * nio_chat.json: homeserver, user ID, device ID, access token and the last
    sync token (next_batch), written atomically after every change.
One --store DIR belongs to one user and device.  Never run two commands on
the same DIR at once: each process holds the Olm sessions in memory and saves
them back, so a concurrent `send` and `listen` of one device could roll a
session's ratchet back (and the sync token too).  Different DIRs (different
devices) may run in parallel.

Requirements: matrix-nio[e2e] 0.26.0 (Olm through vodozemac).

nio has no public API for room-less custom Olm to-device messages, so two
private hooks of its Olm machine are used (see ReceivedOlmRecorder and
encrypt_for_device): ``Olm._olm_encrypt`` to encrypt, and a wrapper around
``Olm._handle_olm_event`` (plus ``Olm.decrypt_event``, for context) to see
decrypted payloads that nio would otherwise drop.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import secrets
import sys
import tempfile
import time
from typing import Any

try:
    from nio import (
        AsyncClient,
        AsyncClientConfig,
        KeysClaimResponse,
        KeysQueryResponse,
        KeysUploadResponse,
        LoginResponse,
        OlmEvent,
        RegisterResponse,
        SyncResponse,
        ToDeviceMessage,
        ToDeviceResponse,
    )
    from nio.api import Api
    from nio.crypto import ENCRYPTION_ENABLED
    from nio.responses import RegisterInteractiveResponse
    from nio.store import SqliteStore
except ImportError as exc:  # pragma: no cover - environment problem
    print(f"nio_chat: cannot import matrix-nio: {exc}", file=sys.stderr)
    sys.exit(1)

STATE_FILE = "nio_chat.json"
DEVICE_NAME = "nio-chat"
OLM_ALGORITHM = "m.olm.v1.curve25519-aes-sha2"
ENCRYPTED_EVENT_TYPE = "m.room.encrypted"
# Event type nio itself sends (and receives) to unwedge Olm sessions; not chat.
DUMMY_EVENT_TYPE = "m.dummy"
# Longest single /sync long-poll while listening, in milliseconds.
SYNC_POLL_MS = 5000
# Limit for the whole of register/login/send (listen: its --timeout + this).
COMMAND_TIMEOUT_S = 60.0

EXIT_FAILURE = 1
EXIT_USAGE = 2
EXIT_TIMEOUT = 3


class Failure(Exception):
    """The command failed; the message says why."""


def emit(obj: dict[str, Any]) -> None:
    """One JSON line on stdout, flushed at once (the caller reads it live)."""
    sys.stdout.write(json.dumps(obj, sort_keys=True) + "\n")
    sys.stdout.flush()


def log(message: str) -> None:
    print(f"nio_chat: {message}", file=sys.stderr, flush=True)


def describe(response: Any) -> str:
    """A short description of a nio response, including the HTTP status."""
    transport = getattr(response, "transport_response", None)
    status = getattr(transport, "status", "?")
    return f"HTTP {status}: {response}"


def expect(response: Any, response_class: type, what: str) -> Any:
    """Fail unless nio parsed the server's answer into `response_class`.

    nio validates each response body against the JSON schemas of
    nio/schemas.py; a body that does not fit becomes an *Error response.
    """
    if not isinstance(response, response_class):
        raise Failure(f"{what}: expected {response_class.__name__}, got {describe(response)}")
    return response


# --------------------------------------------------------------------------
# Persistent state
# --------------------------------------------------------------------------


class State:
    """The small JSON file next to nio's store: who we are, and where sync is.

    nio can keep the sync token in its own store (store_sync_tokens), but it
    then also sets it as "already seen"; we keep it here instead and pass it
    to sync() as `since` explicitly (see listen()).
    """

    def __init__(self, store_dir: str) -> None:
        self.path = os.path.join(store_dir, STATE_FILE)
        self.data: dict[str, Any] = {}

    def load(self) -> bool:
        try:
            with open(self.path, encoding="utf-8") as handle:
                self.data = json.load(handle)
        except FileNotFoundError:
            return False
        except (OSError, ValueError) as exc:
            raise Failure(f"cannot read {self.path}: {exc}") from exc
        for key in ("user_id", "device_id", "access_token"):
            if not isinstance(self.data.get(key), str) or not self.data[key]:
                raise Failure(f"{self.path} has no {key}")
        return True

    def save(self) -> None:
        """Write atomically, so a killed process never leaves half a file."""
        directory = os.path.dirname(self.path)
        fd, temp_path = tempfile.mkstemp(prefix=".nio_chat.", dir=directory)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(self.data, handle, indent=2, sort_keys=True)
                handle.write("\n")
            os.replace(temp_path, self.path)
        except BaseException:
            try:
                os.unlink(temp_path)
            except OSError:
                pass
            raise

    def belongs_to(self, name: str) -> bool:
        """Whether the saved user is NAME (a full user ID or its localpart)."""
        user_id = self.data.get("user_id", "")
        return name == user_id or user_id.startswith(f"@{name}:")


def client_config() -> AsyncClientConfig:
    return AsyncClientConfig(
        encryption_enabled=True,
        # Everything (account, sessions, device keys) in one SQLite file;
        # nio's DefaultStore would add trust files next to it.
        store=SqliteStore,
        # The sync token is kept in nio_chat.json instead (see State).
        store_sync_tokens=False,
        # Fail fast instead of nio's default of retrying forever.
        max_limit_exceeded=2,
        max_timeouts=2,
        request_timeout=20,
    )


def new_client(args: argparse.Namespace, user: str, device_id: str | None = None) -> AsyncClient:
    return AsyncClient(
        args.server,
        user=user,
        device_id=device_id,
        store_path=args.store,
        config=client_config(),
    )


def save_login(state: State, args: argparse.Namespace, client: AsyncClient, keep_sync_token: bool) -> None:
    next_batch = state.data.get("next_batch", "") if keep_sync_token else ""
    state.data = {
        "homeserver": args.server,
        "user_id": client.user_id,
        "device_id": client.device_id,
        "access_token": client.access_token,
        "next_batch": next_batch,
    }
    state.save()


def restore(args: argparse.Namespace) -> tuple[AsyncClient, State]:
    """Recreate the logged-in client of an earlier register/login."""
    state = State(args.store)
    if not state.load():
        raise Failure(f"no saved login in {args.store}; run `register` or `login` first")
    if not state.belongs_to(args.user):
        raise Failure(f"{args.store} holds a device of {state.data['user_id']}, not of {args.user}")
    client = new_client(args, state.data["user_id"], state.data["device_id"])
    # restore_login() sets user/device/token and (encryption on) already
    # calls load_store(); the explicit call documents that the Olm account
    # and sessions now come from the SQLite store in --store.
    client.restore_login(state.data["user_id"], state.data["device_id"], state.data["access_token"])
    client.load_store()
    if client.olm is None:
        raise Failure("nio did not load an Olm account from the store")
    return client, state


# --------------------------------------------------------------------------
# Keys
# --------------------------------------------------------------------------


def identity(client: AsyncClient) -> dict[str, Any]:
    keys = client.olm.account.identity_keys
    return {
        "user_id": client.user_id,
        "device_id": client.device_id,
        "curve25519": keys["curve25519"],
        "ed25519": keys["ed25519"],
        "one_time_key_count": client.olm.uploaded_key_count,
    }


async def learn_one_time_key_count(client: AsyncClient) -> None:
    """Ask the server how many of our one-time keys it still holds.

    nio only learns the count from /sync (and ignores a count of 0 there) or
    from a /keys/upload response, and does not persist it, so a fresh process
    does not know it.  An empty POST /keys/upload is the standard way to ask;
    nio has no public call for it, so we send nio's own request through
    ``AsyncClient._send``, which hands the KeysUploadResponse to the Olm
    machine exactly like ``keys_upload()`` does (it records the count).
    """
    method, path, data = Api.keys_upload(client.access_token, {})
    expect(
        await client._send(KeysUploadResponse, method, path, data),
        KeysUploadResponse,
        "POST /keys/upload (empty, to learn the one-time-key count)",
    )


async def ensure_keys(client: AsyncClient) -> None:
    """Publish device keys if never done; keep max_one_time_keys on the server."""
    olm = client.olm
    if not olm.account.shared:
        # First upload: signed device keys plus max_one_time_keys one-time keys.
        expect(await client.keys_upload(), KeysUploadResponse, "POST /keys/upload")
        return
    if olm.uploaded_key_count is None:
        await learn_one_time_key_count(client)
    if client.should_upload_keys:
        expect(await client.keys_upload(), KeysUploadResponse, "POST /keys/upload (top-up)")


# --------------------------------------------------------------------------
# Receiving: see the Olm payloads nio decrypts
# --------------------------------------------------------------------------


class ReceivedOlmRecorder:
    """Records every Olm payload nio decrypts for a client during sync.

    nio decrypts each incoming m.room.encrypted to-device event and checks the
    payload (sender, recipient, recipient_keys.ed25519) against the event and
    its own account, but then only surfaces the payload types it knows
    (m.room_key, m.forwarded_room_key, m.dummy); any other type is logged as
    "unsupported" and dropped, and the event stays an undecrypted OlmEvent in
    the sync response.  nio offers no public hook for custom room-less Olm
    payloads, so we wrap two private methods of its Olm machine:

    * ``Olm.decrypt_event(event)``: to know, for the payload that follows,
      the Olm message type (0 pre-key / 1 normal) it arrived in, and to
      notice events nio could not decrypt at all;
    * ``Olm._handle_olm_event(sender, sender_key, payload)``: called with the
      payload only after nio decrypted and verified it.

    Both wrappers only observe; nio's results are returned unchanged.
    """

    def __init__(self, client: AsyncClient) -> None:
        self.records: list[dict[str, Any]] = []
        self.failures = 0
        olm = client.olm
        own_curve = olm.account.identity_keys["curve25519"]
        original_decrypt_event = olm.decrypt_event
        original_handle = olm._handle_olm_event
        current: dict[str, Any] = {}

        def decrypt_event(event, room_id=None):
            if not isinstance(event, OlmEvent):
                return original_decrypt_event(event, room_id)
            own = event.ciphertext.get(own_curve) or {}
            current.clear()
            current.update(olm_type=own.get("type"), handled=False)
            result = original_decrypt_event(event, room_id)
            if result is None and not current["handled"]:
                self.failures += 1
                log(
                    f"nio could not decrypt an Olm event from {event.sender} "
                    f"(sender_key {event.sender_key}, Olm type {own.get('type')}); "
                    "run with -v for nio's reason"
                )
            current.clear()
            return result

        def handle_olm_event(sender: str, sender_key: str, payload: dict[str, Any]):
            current["handled"] = True
            self.records.append(
                {
                    "sender": sender,
                    "sender_key": sender_key,
                    "olm_type": current.get("olm_type"),
                    "payload": payload,
                }
            )
            return original_handle(sender, sender_key, payload)

        olm.decrypt_event = decrypt_event
        olm._handle_olm_event = handle_olm_event

    def take(self) -> list[dict[str, Any]]:
        records, self.records = self.records, []
        return records


async def sender_keys_match(client: AsyncClient, records: list[dict[str, Any]], queried: set[str]) -> None:
    """Set record["keys_match"]: do the sender's published keys fit the payload?

    nio does not compare the payload's `keys.ed25519` / `sender_device` with
    the sender's published device keys, so we do: query each sender once per
    process (again when a key is unknown), then look the device up by its
    curve25519 key (the event's sender_key, which Olm authenticated).
    """
    to_query = set()
    for record in records:
        sender = record["sender"]
        if sender not in queried or client.device_store.device_from_sender_key(sender, record["sender_key"]) is None:
            to_query.add(sender)
    if to_query:
        for user in to_query:
            client.users_for_key_query.add(user)
        response = await client.keys_query()
        if isinstance(response, KeysQueryResponse):
            queried.update(to_query)
        else:
            log(f"POST /keys/query for {sorted(to_query)} failed: {describe(response)}")
    for record in records:
        payload = record["payload"]
        device = client.device_store.device_from_sender_key(record["sender"], record["sender_key"])
        # `sender_device` is a nio/legacy extra, not in the spec's plaintext (§4.9): compared
        # only when present. The spec's check is keys.ed25519 against the device that owns
        # the (Olm-authenticated) sender_key.
        claimed_device = payload.get("sender_device")
        record["keys_match"] = bool(
            device is not None
            and (claimed_device is None or device.id == claimed_device)
            and device.ed25519 == (payload.get("keys") or {}).get("ed25519")
        )
        if not record["keys_match"]:
            log(
                f"payload from {record['sender']} does not match its published device keys "
                f"(device {payload.get('sender_device')!r}, sender_key {record['sender_key']})"
            )


# --------------------------------------------------------------------------
# Sending
# --------------------------------------------------------------------------


def encrypt_for_device(client: AsyncClient, device, event_type: str, content: dict[str, Any]) -> dict[str, Any]:
    """Olm-encrypt one event for `device` with nio's current session for it.

    nio has no public API that Olm-encrypts an arbitrary to-device event (it
    only uses Olm to share room keys and send m.dummy).  The private
    ``Olm._olm_encrypt`` builds the standard m.olm.v1 payload (sender,
    sender_device, keys, recipient, recipient_keys, type, content), encrypts
    it with the session and saves the advanced session to the store.
    """
    session = client.olm.session_store.get(device.curve25519)
    if session is None:
        raise Failure(f"no Olm session for {device.user_id} {device.id}")
    encrypted = client.olm._olm_encrypt(session, device, event_type, content)
    if encrypted.get("algorithm") != OLM_ALGORITHM:
        raise Failure(f"nio produced algorithm {encrypted.get('algorithm')!r}")
    return encrypted


# --------------------------------------------------------------------------
# Commands
# --------------------------------------------------------------------------


async def cmd_register(args: argparse.Namespace) -> int:
    state = State(args.store)
    if state.load():
        raise Failure(f"{args.store} already holds a device of {state.data['user_id']}; use a new --store")
    client = new_client(args, args.user)
    try:
        # nio's one-shot register() sends auth {"type": "m.login.dummy"}
        # without a session; most servers (KeyMesh too) accept that.
        response = await client.register(args.user, args.password, device_name=DEVICE_NAME)
        status = getattr(getattr(response, "transport_response", None), "status", None)
        if not isinstance(response, RegisterResponse) and status == 401:
            # The server wants the full user-interactive flow: get a session
            # from a first request, then complete m.login.dummy in it.
            log("one-shot registration refused with 401; using the two-step UIA flow")
            challenge = expect(
                await client.register_interactive(
                    args.user, args.password, auth_dict={"initial_device_display_name": DEVICE_NAME}
                ),
                RegisterInteractiveResponse,
                "POST /register (UIA challenge)",
            )
            if "m.login.dummy" not in challenge.stages:
                raise Failure(f"registration does not offer m.login.dummy: {challenge.stages}")
            response = await client.register(
                args.user, args.password, device_name=DEVICE_NAME, session_token=challenge.session
            )
        expect(response, RegisterResponse, f"POST /register for {args.user}")
        # The register response logged the new device in; nio opened the
        # store in --store and created the device's Olm account.
        if client.olm is None:
            raise Failure("nio did not create an Olm account after registering")
        save_login(state, args, client, keep_sync_token=False)
        await ensure_keys(client)
        emit(identity(client))
        return 0
    finally:
        await client.close()


async def cmd_login(args: argparse.Namespace) -> int:
    state = State(args.store)
    reuse = state.load()
    if reuse and not state.belongs_to(args.user):
        raise Failure(f"{args.store} holds a device of {state.data['user_id']}, not of {args.user}")
    wanted_device = state.data["device_id"] if reuse else None
    # With a device ID, nio's login() asks the server for that device again;
    # nio then opens the store of that user/device in --store, i.e. the same
    # Olm account.  Without one, the server creates a new device.
    client = new_client(args, args.user, wanted_device)
    try:
        expect(
            await client.login(password=args.password, device_name=DEVICE_NAME),
            LoginResponse,
            f"POST /login for {args.user}",
        )
        if client.olm is None:
            raise Failure("nio did not load an Olm account after logging in")
        same_device = reuse and client.device_id == wanted_device
        if reuse and not same_device:
            log(f"asked for device {wanted_device}, the server gave {client.device_id}")
        save_login(state, args, client, keep_sync_token=same_device)
        await ensure_keys(client)
        emit({**identity(client), "reused_device": bool(same_device)})
        return 0
    finally:
        await client.close()


async def cmd_send(args: argparse.Namespace) -> int:
    if args.count < 1:
        raise Failure("--count must be at least 1")
    client, _state = restore(args)
    try:
        await ensure_keys(client)
        # Without shared rooms nio never queries anyone by itself: put the
        # recipient into the Olm machine's live set of users to query.
        client.users_for_key_query.add(args.to)
        query = expect(await client.keys_query(), KeysQueryResponse, "POST /keys/query")
        published = query.device_keys.get(args.to, {})
        devices = [d for d in client.device_store.active_user_devices(args.to) if d.id != client.device_id]
        if not devices:
            raise Failure(f"{args.to} has no devices with valid keys (/keys/query: {sorted(published)})")
        rejected = sorted(set(published) - {d.id for d in devices} - {client.device_id})
        if rejected:
            # nio drops device keys whose self-signature fails, and keeps the
            # old keys if a device's ed25519 key changed.
            log(f"nio ignored device keys of {args.to}: {rejected}")

        # Claim one one-time key per device without a session; nio checks
        # the key's signature and creates the outbound session itself.
        missing = client.olm.get_missing_sessions([args.to])
        if missing:
            expect(await client.keys_claim(missing), KeysClaimResponse, "POST /keys/claim")
        no_session = [d.id for d in devices if client.olm.session_store.get(d.curve25519) is None]
        if no_session:
            raise Failure(
                f"no Olm session for {args.to} devices {no_session} after /keys/claim "
                "(no one-time key left, or a bad signature on it)"
            )

        run_id = secrets.token_hex(4)
        for seq in range(args.count):
            content = {"body": args.text, "seq": seq}
            olm_types: dict[str, int] = {}
            for device in devices:
                encrypted = encrypt_for_device(client, device, args.type, content)
                olm_types[device.id] = encrypted["ciphertext"][device.curve25519]["type"]
                tx_id = f"nio-chat-{run_id}-{seq}-{device.id}"
                message = ToDeviceMessage(ENCRYPTED_EVENT_TYPE, args.to, device.id, encrypted)
                expect(
                    await client.to_device(message, tx_id=tx_id),
                    ToDeviceResponse,
                    f"PUT /sendToDevice/{ENCRYPTED_EVENT_TYPE}/{tx_id}",
                )
            emit({"sent": seq, "devices": [d.id for d in devices], "olm_types": olm_types})
        return 0
    finally:
        await client.close()


async def cmd_listen(args: argparse.Namespace) -> int:
    if args.count < 1:
        raise Failure("--count must be at least 1")
    client, state = restore(args)
    recorder = ReceivedOlmRecorder(client)
    queried: set[str] = set()
    try:
        await ensure_keys(client)
        max_keys = client.olm.account.max_one_time_keys
        token = state.data.get("next_batch") or None
        received = 0
        deadline = time.monotonic() + args.timeout
        while True:
            remaining_ms = int((deadline - time.monotonic()) * 1000)
            # Always sync at least once, even with --timeout 0.
            poll_ms = max(0, min(remaining_ms, SYNC_POLL_MS))
            # `since` is passed explicitly: nio skips a response whose
            # next_batch equals the *previous response's* (client.next_batch,
            # empty in a new process), so the first response of this process
            # is always processed, to-device events included.  We do not set
            # client.next_batch from the file for exactly that reason.
            response = expect(
                await client.sync(timeout=poll_ms, since=token),
                SyncResponse,
                "GET /sync",
            )
            # By now nio has decrypted the to-device events (recorder).
            records = recorder.take()
            wanted = []
            for record in records:
                event_type = record["payload"].get("type")
                if args.type is not None:
                    keep = event_type == args.type
                else:
                    keep = event_type != DUMMY_EVENT_TYPE
                if keep:
                    wanted.append(record)
                else:
                    log(f"skipped a decrypted {event_type} from {record['sender']}")
            if wanted:
                await sender_keys_match(client, wanted, queried)
            for record in wanted:
                payload = record["payload"]
                emit(
                    {
                        "sender": record["sender"],
                        "sender_key": record["sender_key"],
                        "type": payload.get("type"),
                        "content": payload.get("content"),
                        "sender_device": payload.get("sender_device"),
                        "sender_ed25519": (payload.get("keys") or {}).get("ed25519"),
                        "olm_type": record["olm_type"],
                        "keys_match": record["keys_match"],
                    }
                )
                received += 1
            # Persist the token only after printing: the next /sync with it
            # acknowledges (deletes) these events on the server, and a later
            # `listen` process continues from here without seeing them again.
            if response.next_batch and response.next_batch != token:
                token = response.next_batch
                state.data["next_batch"] = token
                state.save()
            # Replace one-time keys that pre-key messages used up, like
            # nio's sync_forever() does.  nio ignores a count of 0 in /sync,
            # so handle that case through learn_one_time_key_count().
            count = response.device_key_count.signed_curve25519
            if count == 0:
                client.olm.uploaded_key_count = None
            if count is not None and count < max_keys:
                await ensure_keys(client)
            if received >= args.count:
                return 0
            if time.monotonic() >= deadline:
                log(f"timeout: {received} of {args.count} messages after {args.timeout:g} s")
                return EXIT_TIMEOUT
    finally:
        await client.close()


COMMANDS = {
    "register": cmd_register,
    "login": cmd_login,
    "send": cmd_send,
    "listen": cmd_listen,
}


class Parser(argparse.ArgumentParser):
    """argparse, but usage errors exit with EXIT_USAGE (its default is 2 too)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        log(message)
        sys.exit(EXIT_USAGE)


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = Parser(prog="nio_chat.py", description="matrix-nio Olm to-device chat peer for KeyMesh tests")
    parser.add_argument("--server", required=True, help="homeserver URL, e.g. http://127.0.0.1:8008")
    parser.add_argument("--user", required=True, help="localpart (register) or localpart / full user ID")
    parser.add_argument("--password", help="needed by register and login")
    parser.add_argument("--store", required=True, help="directory for the nio store and nio_chat.json")
    parser.add_argument("-v", "--verbose", action="store_true", help="nio's debug log on stderr")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=Parser)
    commands.add_parser("register", help="register, log in, upload keys")
    commands.add_parser("login", help="log in (reusing the stored device), upload keys")
    send = commands.add_parser("send", help="send Olm-encrypted to-device messages")
    send.add_argument("--to", required=True, help="recipient user ID")
    send.add_argument("--type", required=True, help="event type inside the Olm payload")
    send.add_argument("--text", required=True, help="content.body")
    send.add_argument("--count", type=int, default=1, help="number of messages (default 1)")
    listen = commands.add_parser("listen", help="sync and print decrypted to-device messages")
    listen.add_argument("--count", type=int, required=True, help="messages to wait for")
    listen.add_argument("--timeout", type=float, required=True, help="seconds to wait at most")
    listen.add_argument("--type", help="only this event type (default: all but m.dummy)")
    args = parser.parse_args(argv)
    if args.command in ("register", "login") and not args.password:
        parser.error(f"{args.command} needs --password")
    args.server = args.server.rstrip("/")
    return args


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    # nio logs through `logging`; stdout stays reserved for JSON lines.  At
    # the default level nio would warn about every custom Olm payload.
    logging.basicConfig(stream=sys.stderr, level=logging.DEBUG if args.verbose else logging.ERROR)
    if not ENCRYPTION_ENABLED:
        log("matrix-nio was installed without e2e support (pip install 'matrix-nio[e2e]')")
        return EXIT_FAILURE
    if args.command in ("register", "login"):
        # Only these two create state; send/listen need it to exist already.
        try:
            os.makedirs(args.store, exist_ok=True)
        except OSError as exc:
            log(f"cannot create --store {args.store}: {exc}")
            return EXIT_FAILURE
    limit = COMMAND_TIMEOUT_S + (args.timeout if args.command == "listen" else 0)
    try:
        return asyncio.run(asyncio.wait_for(COMMANDS[args.command](args), limit))
    except Failure as exc:
        log(f"{args.command} failed: {exc}")
    except asyncio.TimeoutError:
        log(f"{args.command} did not finish within {limit:.0f} s")
    except Exception as exc:  # connection refused, unexpected nio errors, ...
        log(f"{args.command} failed: {type(exc).__name__}: {exc}")
    return EXIT_FAILURE


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

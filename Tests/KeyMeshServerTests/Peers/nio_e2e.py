#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: 2026 KeyMesh contributors
"""End-to-end test of a KeyMesh server with a real Matrix client (matrix-nio).

Usage:
    python nio_e2e.py http://127.0.0.1:PORT [-v]

Requirements: matrix-nio[e2e] (tested with 0.26.0, which does its Olm
cryptography with vodozemac).

What it does, with two fresh users "alice" and "bob":

 1. Registration.  Alice uses nio's one-shot ``register()`` (it sends
    ``auth: {"type": "m.login.dummy"}`` with *no* session).  Bob uses the
    two-step user-interactive flow: a first request whose ``auth`` has no
    ``type`` (what nio's own ``register_with_token`` sends first) must be
    answered with the 401 {flows, params, session} challenge, then
    ``register(session_token=...)`` completes the m.login.dummy stage.
    Each registration session is checked with ``whoami`` and then logged out.
 2. Login with the password on a fresh, encryption-enabled client (alice with
    her full user ID, bob with his localpart), which creates the Olm account
    in a temporary store, then ``keys_upload`` and one ``sync`` each.
 3. Alice queries bob's device keys, claims one of his one-time keys and
    sends him an Olm-encrypted to-device event (``org.keymesh.test`` with a
    random nonce) through PUT /sendToDevice.  Bob syncs until nio has
    decrypted it; the plaintext, sender, sender device and sender keys are
    checked.  Bob's one-time-key count seen in /sync must have dropped by
    exactly one; once nio has seen that, bob tops the keys up again the way
    nio clients do.
 4. Bob answers over the session that now exists (no new key claim), and
    alice decrypts it: the session works both ways.

Prints exactly one JSON line on stdout: {"ok": true, "details": {...}} with
exit status 0, or {"ok": false, "error": "..."} with exit status 1.  The
whole run is limited to 60 seconds.
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
import shutil
import sys
import tempfile
import time
from importlib import metadata
from typing import Any

try:
    from nio import (
        AsyncClient,
        AsyncClientConfig,
        KeysClaimResponse,
        KeysQueryResponse,
        KeysUploadResponse,
        LoginResponse,
        LogoutResponse,
        OlmEvent,
        RegisterResponse,
        SyncResponse,
        ToDeviceMessage,
        ToDeviceResponse,
        WhoamiResponse,
    )
    from nio.crypto import ENCRYPTION_ENABLED
    # Returned by AsyncClient.register_interactive() but not re-exported by nio.
    from nio.responses import RegisterInteractiveResponse
except ImportError as exc:  # pragma: no cover - environment problem
    print(json.dumps({"ok": False, "error": f"cannot import matrix-nio: {exc}"}))
    sys.exit(1)

OVERALL_TIMEOUT_S = 60.0
# How long one receiver waits (in total) for a to-device event to arrive.
RECEIVE_TIMEOUT_S = 20.0
# Long-poll timeout passed to /sync while waiting, in milliseconds.
SYNC_POLL_MS = 2000

EVENT_TYPE = "org.keymesh.test"
OLM_ALGORITHM = "m.olm.v1.curve25519-aes-sha2"
ENCRYPTED_EVENT_TYPE = "m.room.encrypted"
# Olm message types in the to-device ciphertext: 0 = pre-key message (opens a
# session), 1 = normal message (uses an established session).
OLM_PREKEY = 0
OLM_NORMAL = 1


class TestFailure(Exception):
    """A check failed; the message says which one."""


def check(condition: bool, message: str) -> None:
    if not condition:
        raise TestFailure(message)


def describe(response: Any) -> str:
    """A short description of a nio response, including the HTTP status."""
    transport = getattr(response, "transport_response", None)
    status = getattr(transport, "status", "?")
    return f"HTTP {status}: {response}"


def expect(response: Any, response_class: type, what: str) -> Any:
    """Fail unless nio parsed the server's answer into `response_class`.

    nio validates each response body against the JSON schema of
    nio/schemas.py; a body that does not fit becomes an *Error response.
    """
    if not isinstance(response, response_class):
        raise TestFailure(
            f"{what}: expected {response_class.__name__}, got {describe(response)}"
        )
    return response


def client_config(encryption: bool) -> AsyncClientConfig:
    return AsyncClientConfig(
        encryption_enabled=encryption,
        store_sync_tokens=True,
        # Fail fast instead of nio's default of retrying forever.
        max_limit_exceeded=2,
        max_timeouts=2,
        request_timeout=20,
    )


class DecryptedOlmRecorder:
    """Records Olm payloads of EVENT_TYPE that nio decrypted for a client.

    nio decrypts every incoming m.room.encrypted to-device event during
    sync, and checks the payload (sender, recipient, recipient_keys) against
    the event and its own account, but then only surfaces the payload types it
    knows itself (m.room_key, m.forwarded_room_key, m.dummy); any other
    decrypted type is logged as "unsupported" and dropped.  nio offers no
    public hook for room-less custom Olm payloads, so we wrap the private
    ``Olm._handle_olm_event`` that receives each payload after nio has
    decrypted and verified it.  The wrapper only observes; nio's result is
    returned unchanged.
    """

    def __init__(self, client: AsyncClient) -> None:
        self.events: list[dict[str, Any]] = []
        olm = client.olm
        check(olm is not None, "nio has no Olm machine (encryption disabled?)")
        original = olm._handle_olm_event

        def handle_olm_event(sender: str, sender_key: str, payload: dict[str, Any]):
            if payload.get("type") == EVENT_TYPE:
                self.events.append(
                    {"sender": sender, "sender_key": sender_key, "payload": payload}
                )
            return original(sender, sender_key, payload)

        olm._handle_olm_event = handle_olm_event


async def register_one_shot(
    homeserver: str, localpart: str, password: str
) -> dict[str, Any]:
    """Register the way most nio programs do: ``AsyncClient.register()``.

    nio sends auth {"type": "m.login.dummy"} without a session in the first
    and only request, so the server must complete the dummy stage directly.
    """
    client = AsyncClient(homeserver, config=client_config(encryption=False))
    try:
        response = expect(
            await client.register(localpart, password, device_name="nio-e2e register"),
            RegisterResponse,
            f"POST /register (one-shot m.login.dummy) for {localpart}",
        )
        return await check_and_logout(client, response, "one-shot")
    finally:
        await client.close()


async def register_interactive(
    homeserver: str, localpart: str, password: str
) -> dict[str, Any]:
    """Register with the two-step user-interactive auth flow."""
    client = AsyncClient(homeserver, config=client_config(encryption=False))
    try:
        # Step 1: nio always sends an `auth` object; one without `type` is how
        # nio's own register_with_token() starts the flow.  The server must
        # answer it like a request without auth: 401 {flows, params, session}.
        challenge = expect(
            await client.register_interactive(
                localpart,
                password,
                auth_dict={"initial_device_display_name": "nio-e2e register"},
            ),
            RegisterInteractiveResponse,
            f"POST /register step 1 (UIA challenge) for {localpart}",
        )
        check(
            "m.login.dummy" in challenge.stages,
            f"register challenge does not offer m.login.dummy: {challenge.stages}",
        )
        check(bool(challenge.session), "register challenge has an empty session")
        # Step 2: complete m.login.dummy within that session.
        response = expect(
            await client.register(
                localpart,
                password,
                device_name="nio-e2e register",
                session_token=challenge.session,
            ),
            RegisterResponse,
            f"POST /register step 2 (m.login.dummy + session) for {localpart}",
        )
        return await check_and_logout(client, response, "interactive")
    finally:
        await client.close()


async def check_and_logout(
    client: AsyncClient, registered: RegisterResponse, flow: str
) -> dict[str, Any]:
    """whoami on the registration's session, then log that session out."""
    whoami = expect(await client.whoami(), WhoamiResponse, "GET /account/whoami")
    check(
        whoami.user_id == registered.user_id,
        f"whoami user_id {whoami.user_id!r} != registered {registered.user_id!r}",
    )
    check(
        whoami.device_id in (None, registered.device_id),
        f"whoami device_id {whoami.device_id!r} != registered {registered.device_id!r}",
    )
    # nio requires the logout body to be exactly {} (schema "empty").
    expect(await client.logout(), LogoutResponse, "POST /logout")
    return {
        "user_id": registered.user_id,
        "register_flow": flow,
        "register_device_id": registered.device_id,
    }


async def login_with_keys(
    homeserver: str, user: str, password: str, store_path: str, name: str
) -> tuple[AsyncClient, dict[str, Any]]:
    """Log in on a fresh encrypted client, upload keys, sync once."""
    client = AsyncClient(
        homeserver, user=user, store_path=store_path, config=client_config(True)
    )
    login = expect(
        await client.login(password=password, device_name=f"nio-e2e {name}"),
        LoginResponse,
        f"POST /login for {user}",
    )
    # The login response makes nio open its store and create the Olm account.
    check(client.olm is not None, f"{name}: nio did not load an Olm account")
    check(client.should_upload_keys, f"{name}: nio does not want to upload keys")

    upload = expect(await client.keys_upload(), KeysUploadResponse, "POST /keys/upload")
    max_keys = client.olm.account.max_one_time_keys
    # A fresh device uploads max_one_time_keys signed_curve25519 keys at once.
    check(
        upload.signed_curve25519_count == max_keys,
        f"{name}: /keys/upload one_time_key_counts.signed_curve25519 = "
        f"{upload.signed_curve25519_count}, expected {max_keys}",
    )

    sync = expect(await client.sync(timeout=0), SyncResponse, "GET /sync (initial)")
    check(bool(sync.next_batch), f"{name}: /sync returned an empty next_batch")
    check(
        sync.device_key_count.signed_curve25519 == max_keys,
        f"{name}: /sync device_one_time_keys_count.signed_curve25519 = "
        f"{sync.device_key_count.signed_curve25519}, expected {max_keys}",
    )
    return client, {
        "user_id": login.user_id,
        "device_id": login.device_id,
        "one_time_keys_uploaded": upload.signed_curve25519_count,
    }


async def query_device(client: AsyncClient, user_id: str, device_id: str):
    """Download `user_id`'s device keys and return nio's OlmDevice for them.

    Normally nio only queries users it shares encrypted rooms with.  Without
    rooms we put the user into the set of users to query ourselves:
    ``AsyncClient.users_for_key_query`` is the Olm machine's live set.
    """
    client.users_for_key_query.add(user_id)
    response = expect(await client.keys_query(), KeysQueryResponse, "POST /keys/query")
    check(
        device_id in response.device_keys.get(user_id, {}),
        f"/keys/query has no keys for {user_id} {device_id}: {response.device_keys}",
    )
    # nio verifies the self-signature before it stores the device.
    device = client.device_store[user_id].get(device_id)
    check(
        device is not None,
        f"nio rejected the device keys of {user_id} {device_id} (bad signature?)",
    )
    return device


def check_device_matches(device, owner: AsyncClient, what: str) -> None:
    """The queried keys must be the identity keys of the owner's account."""
    identity = owner.olm.account.identity_keys
    check(
        device.ed25519 == identity["ed25519"]
        and device.curve25519 == identity["curve25519"],
        f"{what}: /keys/query returned other identity keys than the device uploaded",
    )


async def send_olm(
    sender: AsyncClient, device, content: dict[str, Any], tx_id: str
) -> str:
    """Olm-encrypt one EVENT_TYPE event for `device`; PUT /sendToDevice.

    nio has no public API that Olm-encrypts an arbitrary to-device event (it
    only uses Olm to share room keys).  We therefore call the private
    ``Olm._olm_encrypt``, which builds the standard m.olm.v1 payload
    (sender, sender_device, keys, recipient, recipient_keys, type, content)
    with the session nio has for the device.  Returns the session ID.
    """
    session = sender.olm.session_store.get(device.curve25519)
    check(session is not None, f"{sender.user_id} has no Olm session for {device.id}")
    encrypted = sender.olm._olm_encrypt(session, device, EVENT_TYPE, content)
    check(encrypted.get("algorithm") == OLM_ALGORITHM, "unexpected Olm algorithm")
    message = ToDeviceMessage(ENCRYPTED_EVENT_TYPE, device.user_id, device.id, encrypted)
    expect(
        await sender.to_device(message, tx_id=tx_id),
        ToDeviceResponse,
        f"PUT /sendToDevice/{ENCRYPTED_EVENT_TYPE}/{tx_id}",
    )
    return session.id


async def receive_olm(
    receiver: AsyncClient, recorder: DecryptedOlmRecorder, nonce: str
) -> tuple[dict[str, Any], int, int]:
    """Sync until nio has decrypted the EVENT_TYPE event carrying `nonce`.

    Returns the recorded decryption, the Olm message type the server
    delivered, and how many syncs it took.
    """
    own_curve = receiver.olm.account.identity_keys["curve25519"]
    message_types: list[int] = []
    deadline = time.monotonic() + RECEIVE_TIMEOUT_S
    syncs = 0
    while time.monotonic() < deadline:
        response = expect(
            await receiver.sync(timeout=SYNC_POLL_MS),
            SyncResponse,
            "GET /sync (waiting for the to-device event)",
        )
        syncs += 1
        # Events nio could not turn into a known type stay in the response as
        # OlmEvent; ours is one of them (see DecryptedOlmRecorder).
        for event in response.to_device_events:
            if isinstance(event, OlmEvent) and own_curve in event.ciphertext:
                message_types.append(event.ciphertext[own_curve]["type"])
        for record in recorder.events:
            if record["payload"].get("content", {}).get("body") == nonce:
                check(
                    len(message_types) == 1,
                    f"expected one Olm to-device event, saw types {message_types}",
                )
                return record, message_types[0], syncs
    raise TestFailure(
        f"{receiver.user_id} did not decrypt the {EVENT_TYPE} event within "
        f"{RECEIVE_TIMEOUT_S:.0f} s ({syncs} syncs, Olm events seen: {message_types})"
    )


def check_received(
    record: dict[str, Any],
    sender: AsyncClient,
    sender_device,
    content: dict[str, Any],
    what: str,
) -> None:
    """The decrypted event must be exactly what `sender` sent."""
    payload = record["payload"]
    # `record["sender"]` is the `sender` field the *server* put on the
    # to-device event; nio already checked it equals the encrypted payload's.
    check(
        record["sender"] == sender.user_id,
        f"{what}: event sender {record['sender']!r} != {sender.user_id!r}",
    )
    check(
        payload.get("sender_device") == sender.device_id,
        f"{what}: sender_device {payload.get('sender_device')!r} != {sender.device_id!r}",
    )
    check(
        record["sender_key"] == sender_device.curve25519,
        f"{what}: sender_key is not the sender device's curve25519 key",
    )
    check(
        payload.get("keys", {}).get("ed25519") == sender_device.ed25519,
        f"{what}: payload keys.ed25519 is not the sender device's ed25519 key",
    )
    check(
        payload.get("content") == content,
        f"{what}: content {payload.get('content')!r} != {content!r}",
    )


async def run(homeserver: str) -> dict[str, Any]:
    started = time.monotonic()
    tag = secrets.token_hex(4)
    alice_name, bob_name = f"alice_{tag}", f"bob_{tag}"
    alice_password, bob_password = secrets.token_urlsafe(16), secrets.token_urlsafe(16)
    details: dict[str, Any] = {
        "nio_version": metadata.version("matrix-nio"),
        "homeserver": homeserver,
    }

    # --- 1. registration (both flows), whoami, logout -------------------
    alice_reg = await register_one_shot(homeserver, alice_name, alice_password)
    bob_reg = await register_interactive(homeserver, bob_name, bob_password)

    store_dirs = [tempfile.mkdtemp(prefix="nio-e2e-alice-"),
                  tempfile.mkdtemp(prefix="nio-e2e-bob-")]
    clients: list[AsyncClient] = []
    try:
        # --- 2. login, key upload, first sync ---------------------------
        # alice logs in with her full user ID, bob with his localpart.
        alice, alice_info = await login_with_keys(
            homeserver, alice_reg["user_id"], alice_password, store_dirs[0], "alice"
        )
        clients.append(alice)
        bob, bob_info = await login_with_keys(
            homeserver, bob_name, bob_password, store_dirs[1], "bob"
        )
        clients.append(bob)
        check(bob.user_id == bob_reg["user_id"], "bob's login user_id differs")
        details["alice"] = {**alice_reg, **alice_info}
        details["bob"] = {**bob_reg, **bob_info}
        max_keys = bob_info["one_time_keys_uploaded"]

        alice_recorder = DecryptedOlmRecorder(alice)
        bob_recorder = DecryptedOlmRecorder(bob)

        # --- 3a. key queries (both ways: bob needs alice's keys to check
        #         the sender and to answer) --------------------------------
        bob_device = await query_device(alice, bob.user_id, bob.device_id)
        check_device_matches(bob_device, bob, "alice's query of bob")
        alice_device = await query_device(bob, alice.user_id, alice.device_id)
        check_device_matches(alice_device, alice, "bob's query of alice")

        # --- 3b. alice claims one of bob's one-time keys -----------------
        missing = alice.olm.get_missing_sessions([bob.user_id])
        check(
            missing.get(bob.user_id) == [bob.device_id],
            f"nio's missing sessions before the claim: {dict(missing)}",
        )
        claim = expect(
            await alice.keys_claim(missing), KeysClaimResponse, "POST /keys/claim"
        )
        claimed = claim.one_time_keys.get(bob.user_id, {}).get(bob.device_id, {})
        check(
            len(claimed) == 1
            and next(iter(claimed)).startswith("signed_curve25519:"),
            f"/keys/claim did not return one signed_curve25519 key: {claim.one_time_keys}",
        )
        # nio checked the key's signature and opened an outbound session.
        check(
            alice.olm.session_store.get(bob_device.curve25519) is not None,
            "nio did not create an Olm session from the claimed key "
            "(bad one-time-key signature?)",
        )
        details["claimed_key_id"] = next(iter(claimed))

        # --- 3c. bob's one-time-key count dropped by exactly one ---------
        sync = expect(await bob.sync(timeout=0), SyncResponse, "GET /sync (bob)")
        count_after_claim = sync.device_key_count.signed_curve25519
        check(
            count_after_claim == max_keys - 1,
            f"bob's device_one_time_keys_count.signed_curve25519 after the claim "
            f"is {count_after_claim}, expected {max_keys - 1}",
        )

        # --- 3d. alice -> bob: first Olm message (pre-key) ---------------
        content_ab = {"body": secrets.token_hex(16)}
        session_ab = await send_olm(
            alice, bob_device, content_ab, f"nio-e2e-{tag}-ab"
        )
        record, type_ab, syncs_ab = await receive_olm(
            bob, bob_recorder, content_ab["body"]
        )
        check_received(record, alice, alice_device, content_ab, "alice -> bob")
        check(type_ab == OLM_PREKEY, f"first message had Olm type {type_ab}, not 0")

        # --- 3e. bob replaces the claimed one-time key --------------------
        # nio ignores a sync response whose next_batch equals the previous
        # one, so it only took note of the lower count on the sync that
        # delivered alice's event.  Top up the way sync_forever() would.
        check(bob.should_upload_keys, "nio does not want to replace the claimed key")
        top_up = expect(
            await bob.keys_upload(), KeysUploadResponse, "POST /keys/upload (top-up)"
        )
        check(
            top_up.signed_curve25519_count == max_keys,
            f"after the top-up upload the count is {top_up.signed_curve25519_count}, "
            f"expected {max_keys}",
        )
        details["bob_one_time_keys"] = {
            "uploaded": max_keys,
            "after_claim": count_after_claim,
            "after_top_up": top_up.signed_curve25519_count,
        }

        # --- 4. bob -> alice over the session bob just created -----------
        bob_sessions = bob.olm.session_store[alice_device.curve25519]
        check(
            len(bob_sessions) == 1 and bob_sessions[0].id == session_ab,
            "bob's inbound session is not the one alice created",
        )
        content_ba = {"body": secrets.token_hex(16)}
        session_ba = await send_olm(
            bob, alice_device, content_ba, f"nio-e2e-{tag}-ba"
        )
        record, type_ba, syncs_ba = await receive_olm(
            alice, alice_recorder, content_ba["body"]
        )
        check_received(record, bob, bob_device, content_ba, "bob -> alice")
        check(type_ba == OLM_NORMAL, f"reply had Olm type {type_ba}, not 1")
        alice_sessions = alice.olm.session_store[bob_device.curve25519]
        check(
            session_ba == session_ab
            and len(alice_sessions) == 1
            and alice_sessions[0].id == session_ab,
            "the reply did not use the existing Olm session",
        )
        details["olm"] = {
            "algorithm": OLM_ALGORITHM,
            "event_type": EVENT_TYPE,
            "session_id": session_ab,
            "alice_to_bob": {"olm_message_type": type_ab, "syncs": syncs_ab},
            "bob_to_alice": {"olm_message_type": type_ba, "syncs": syncs_ba},
        }
    finally:
        for client in clients:
            await client.close()
        for path in store_dirs:
            shutil.rmtree(path, ignore_errors=True)

    details["elapsed_ms"] = int((time.monotonic() - started) * 1000)
    return details


def main() -> int:
    args = [a for a in sys.argv[1:] if a != "-v"]
    if len(args) != 1 or not args[0].startswith(("http://", "https://")):
        print(json.dumps({"ok": False, "error": "usage: nio_e2e.py http://HOST:PORT [-v]"}))
        return 1
    # nio logs through `logging`; keep stdout for the single JSON line.
    logging.basicConfig(
        stream=sys.stderr,
        level=logging.DEBUG if "-v" in sys.argv[1:] else logging.ERROR,
    )
    if not ENCRYPTION_ENABLED:
        print(json.dumps({"ok": False, "error": "matrix-nio was installed without e2e support (pip install 'matrix-nio[e2e]')"}))
        return 1

    homeserver = args[0].rstrip("/")
    try:
        details = asyncio.run(asyncio.wait_for(run(homeserver), OVERALL_TIMEOUT_S))
    except TestFailure as exc:
        print(json.dumps({"ok": False, "error": str(exc)}))
        return 1
    except asyncio.TimeoutError:
        print(json.dumps({"ok": False, "error": f"timed out after {OVERALL_TIMEOUT_S:.0f} s"}))
        return 1
    except Exception as exc:  # connection refused, unexpected nio errors, ...
        print(json.dumps({"ok": False, "error": f"{type(exc).__name__}: {exc}"}))
        return 1
    print(json.dumps({"ok": True, "details": details}))
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: 2026 KeyMesh contributors
"""Two matrix-nio clients on two different KeyMesh instances of one store.

Usage:
    python nio_scaleout.py http://127.0.0.1:PORT_A http://127.0.0.1:PORT_C [-v]

The same exchange as nio_e2e.py (whose functions it reuses), with alice's
client talking only to instance A and bob's only to instance C, both
instances serving one PostgreSQL database:

 1. alice registers through A (one-shot m.login.dummy), bob through C (the
    two-step user-interactive flow); both log in with encryption, upload
    their keys and sync, each on their own instance.
 2. alice queries bob's keys and claims one of his one-time keys through A
    (bob's keys were uploaded through C); bob queries alice's keys through C.
 3. bob's one-time-key count seen in /sync on C has dropped by exactly one.
 4. alice sends an Olm pre-key message through A; bob's /sync on C delivers
    it and nio decrypts it; bob tops up his keys through C.
 5. bob answers through C over the session, alice decrypts it from /sync on A.

Prints exactly one JSON line on stdout: {"ok": true, "details": {...}} with
exit status 0, or {"ok": false, "error": "..."} with exit status 1.  The
whole run is limited to 90 seconds.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import secrets
import shutil
import sys
import tempfile
import time
from typing import Any

sys.dont_write_bytecode = True  # no __pycache__ beside the sources
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

try:
    import nio_e2e as e2e
    from nio import KeysClaimResponse, KeysUploadResponse, SyncResponse
    from nio.crypto import ENCRYPTION_ENABLED
except ImportError as exc:  # pragma: no cover - environment problem
    print(json.dumps({"ok": False, "error": f"cannot import matrix-nio or nio_e2e: {exc}"}))
    sys.exit(1)

OVERALL_TIMEOUT_S = 90.0

check = e2e.check
expect = e2e.expect


async def run(alice_server: str, bob_server: str) -> dict[str, Any]:
    started = time.monotonic()
    tag = secrets.token_hex(4)
    alice_name, bob_name = f"alice_{tag}", f"bob_{tag}"
    alice_password, bob_password = secrets.token_urlsafe(16), secrets.token_urlsafe(16)
    details: dict[str, Any] = {"alice_server": alice_server, "bob_server": bob_server}

    # --- 1. registration, each on its own instance ----------------------
    alice_reg = await e2e.register_one_shot(alice_server, alice_name, alice_password)
    bob_reg = await e2e.register_interactive(bob_server, bob_name, bob_password)

    store_dirs = [tempfile.mkdtemp(prefix="nio-scaleout-alice-"),
                  tempfile.mkdtemp(prefix="nio-scaleout-bob-")]
    clients = []
    try:
        alice, alice_info = await e2e.login_with_keys(
            alice_server, alice_reg["user_id"], alice_password, store_dirs[0], "alice"
        )
        clients.append(alice)
        bob, bob_info = await e2e.login_with_keys(
            bob_server, bob_name, bob_password, store_dirs[1], "bob"
        )
        clients.append(bob)
        details["alice"] = {**alice_reg, **alice_info}
        details["bob"] = {**bob_reg, **bob_info}
        max_keys = bob_info["one_time_keys_uploaded"]
        alice_recorder = e2e.DecryptedOlmRecorder(alice)
        bob_recorder = e2e.DecryptedOlmRecorder(bob)

        # --- 2. queries and the claim, across instances -------------------
        bob_device = await e2e.query_device(alice, bob.user_id, bob.device_id)
        e2e.check_device_matches(bob_device, bob, "alice's query of bob (through A)")
        alice_device = await e2e.query_device(bob, alice.user_id, alice.device_id)
        e2e.check_device_matches(alice_device, alice, "bob's query of alice (through C)")
        missing = alice.olm.get_missing_sessions([bob.user_id])
        check(missing.get(bob.user_id) == [bob.device_id], f"missing sessions: {dict(missing)}")
        claim = expect(await alice.keys_claim(missing), KeysClaimResponse, "POST /keys/claim (A)")
        claimed = claim.one_time_keys.get(bob.user_id, {}).get(bob.device_id, {})
        check(
            len(claimed) == 1 and next(iter(claimed)).startswith("signed_curve25519:"),
            f"/keys/claim through A did not return one signed_curve25519 key: {claim.one_time_keys}",
        )
        check(alice.olm.session_store.get(bob_device.curve25519) is not None,
              "nio did not create an Olm session from the key claimed through A")

        # --- 3. bob's count on C dropped by one -----------------------------
        sync = expect(await bob.sync(timeout=0), SyncResponse, "GET /sync (bob, C)")
        count_after_claim = sync.device_key_count.signed_curve25519
        check(count_after_claim == max_keys - 1,
              f"bob's one-time key count on C after the claim through A is {count_after_claim}, expected {max_keys - 1}")

        # --- 4. alice (A) -> bob (C): pre-key message ----------------------
        content_ab = {"body": secrets.token_hex(16)}
        session_ab = await e2e.send_olm(alice, bob_device, content_ab, f"nio-scaleout-{tag}-ab")
        record, type_ab, syncs_ab = await e2e.receive_olm(bob, bob_recorder, content_ab["body"])
        e2e.check_received(record, alice, alice_device, content_ab, "alice (A) -> bob (C)")
        check(type_ab == e2e.OLM_PREKEY, f"first message had Olm type {type_ab}, not 0")
        check(bob.should_upload_keys, "nio does not want to replace the claimed key")
        top_up = expect(await bob.keys_upload(), KeysUploadResponse, "POST /keys/upload (top-up, C)")
        check(top_up.signed_curve25519_count == max_keys,
              f"after the top-up through C the count is {top_up.signed_curve25519_count}, expected {max_keys}")

        # --- 5. bob (C) -> alice (A) over the same session ------------------
        content_ba = {"body": secrets.token_hex(16)}
        session_ba = await e2e.send_olm(bob, alice_device, content_ba, f"nio-scaleout-{tag}-ba")
        record, type_ba, syncs_ba = await e2e.receive_olm(alice, alice_recorder, content_ba["body"])
        e2e.check_received(record, bob, bob_device, content_ba, "bob (C) -> alice (A)")
        check(type_ba == e2e.OLM_NORMAL, f"reply had Olm type {type_ba}, not 1")
        check(session_ba == session_ab, "the reply did not use the session alice opened")
        details["olm"] = {
            "session_id": session_ab,
            "alice_to_bob": {"olm_message_type": type_ab, "syncs": syncs_ab},
            "bob_to_alice": {"olm_message_type": type_ba, "syncs": syncs_ba},
        }
        details["bob_one_time_keys"] = {
            "uploaded": max_keys, "after_claim": count_after_claim,
            "after_top_up": top_up.signed_curve25519_count,
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
    if len(args) != 2 or not all(a.startswith(("http://", "https://")) for a in args):
        print(json.dumps({"ok": False, "error": "usage: nio_scaleout.py http://HOST:PORT_A http://HOST:PORT_C [-v]"}))
        return 1
    logging.basicConfig(stream=sys.stderr, level=logging.DEBUG if "-v" in sys.argv[1:] else logging.ERROR)
    if not ENCRYPTION_ENABLED:
        print(json.dumps({"ok": False, "error": "matrix-nio was installed without e2e support (pip install 'matrix-nio[e2e]')"}))
        return 1
    alice_server, bob_server = (a.rstrip("/") for a in args)
    try:
        details = asyncio.run(asyncio.wait_for(run(alice_server, bob_server), OVERALL_TIMEOUT_S))
    except e2e.TestFailure as exc:
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

#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: 2026 KeyMesh contributors
"""What matrix-nio calls around start-up, against a KeyMesh server.

Usage:
    python nio_startup.py http://127.0.0.1:PORT

Requirements: matrix-nio (tested with 0.26.0).

With a fresh user it checks, each through nio's own response parsing (nio
validates every answer against its JSON schema, so a missing required member
becomes an error response):

 1. ``devices()`` lists the user's devices, one of them logged in with no
    display name: nio's schema requires ``display_name``, ``last_seen_ip``
    and ``last_seen_ts`` on every device (null allowed).
 2. ``delete_devices()`` of a device that was already deleted: after the
    password stage it succeeds (the spec's "had been removed previously").
 3. ``get_profile()`` / ``get_displayname()`` of the user.
 4. ``upload_filter()`` and a ``sync()`` with the returned filter id, and one
    with an inline filter.

Prints exactly one JSON line on stdout: {"ok": true, "details": {...}} with
exit status 0, or {"ok": false, "error": "..."} with exit status 1.  The
whole run is limited to 60 seconds.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import sys
import urllib.request
from typing import Any

try:
    from nio import (
        AsyncClient,
        DeleteDevicesAuthResponse,
        DeleteDevicesResponse,
        DevicesResponse,
        LoginResponse,
        ProfileGetDisplayNameResponse,
        ProfileGetResponse,
        RegisterResponse,
        SyncResponse,
        UploadFilterResponse,
    )
except ImportError as exc:  # pragma: no cover - environment problem
    print(json.dumps({"ok": False, "error": f"cannot import matrix-nio: {exc}"}))
    sys.exit(1)

OVERALL_TIMEOUT_S = 60.0


class Failure(Exception):
    pass


def expect(response: Any, kind: type, what: str) -> Any:
    if not isinstance(response, kind):
        raise Failure(f"{what}: expected {kind.__name__}, got {type(response).__name__}: {response}")
    return response


def raw_login(base: str, user: str, password: str) -> str:
    """Logs in without ``initial_device_display_name``: a device with no name."""
    body = json.dumps({"type": "m.login.password", "identifier": {"type": "m.id.user", "user": user},
                       "password": password}).encode()
    request = urllib.request.Request(f"{base}/_matrix/client/v3/login", data=body,
                                     headers={"Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(request, timeout=10) as answer:
        return json.load(answer)["device_id"]


async def run(base: str) -> dict[str, Any]:
    name = "nio" + secrets.token_hex(4)
    password = "pw-" + secrets.token_hex(8)
    client = AsyncClient(base, name)
    try:
        expect(await client.register(name, password, device_name="nio start-up"), RegisterResponse, "register")
        bare = await asyncio.to_thread(raw_login, base, name, password)
        other = AsyncClient(base, name)
        expect(await other.login(password, device_name="doomed"), LoginResponse, "login")
        doomed = other.device_id
        await other.close()

        devices = expect(await client.devices(), DevicesResponse, "devices()")
        listed = {device.id: device.display_name for device in devices.devices}
        if set(listed) != {client.device_id, bare, doomed}:
            raise Failure(f"devices(): {listed}")

        auth = {"type": "m.login.password", "user": name, "password": password}
        for attempt in ("first", "again"):
            challenge = expect(await client.delete_devices([doomed]), DeleteDevicesAuthResponse, f"delete {attempt}")
            expect(await client.delete_devices([doomed], dict(auth, session=challenge.session)),
                   DeleteDevicesResponse, f"delete_devices {attempt}")
        after = expect(await client.devices(), DevicesResponse, "devices() after delete")
        if {device.id for device in after.devices} != {client.device_id, bare}:
            raise Failure(f"devices() after delete: {after.devices}")

        profile = expect(await client.get_profile(), ProfileGetResponse, "get_profile()")
        display = expect(await client.get_displayname(), ProfileGetDisplayNameResponse, "get_displayname()")
        if profile.displayname != name or display.displayname != name:
            raise Failure(f"profile: {profile.displayname!r} / {display.displayname!r}")

        uploaded = expect(await client.upload_filter(event_fields=["type", "content"],
                                                     room={"timeline": {"limit": 10}}),
                          UploadFilterResponse, "upload_filter()")
        expect(await client.sync(timeout=0, sync_filter=uploaded.filter_id), SyncResponse, "sync(filter id)")
        expect(await client.sync(timeout=0, sync_filter={"room": {"timeline": {"limit": 1}}}),
               SyncResponse, "sync(inline filter)")
        return {"devices": len(listed), "bare_device_name": listed[bare], "displayname": profile.displayname,
                "filter_id": uploaded.filter_id}
    finally:
        await client.close()


def main() -> int:
    if len(sys.argv) < 2:
        print(json.dumps({"ok": False, "error": "usage: nio_startup.py BASE_URL"}))
        return 1
    try:
        details = asyncio.run(asyncio.wait_for(run(sys.argv[1].rstrip("/")), OVERALL_TIMEOUT_S))
    except Exception as error:  # one JSON line whatever went wrong
        print(json.dumps({"ok": False, "error": f"{type(error).__name__}: {error}"}))
        return 1
    print(json.dumps({"ok": True, "details": details}))
    return 0


if __name__ == "__main__":
    sys.exit(main())

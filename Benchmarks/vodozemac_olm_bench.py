#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: 2026 KeyMesh contributors
"""vodozemac's side of `keymesh bench olm`: one slice of the same three measurements
(outbound creation, inbound creation with first-message decryption, 1 KiB encrypt+decrypt),
printed as JSON. `keymesh bench olm` runs it once per round, between its own measurements.
Each call crosses the Python binding (about a microsecond); see docs/PERFORMANCE.md."""
import json
import sys
import time

import vodozemac as v

SLICE = float(sys.argv[1]) if len(sys.argv) > 1 else 0.3


def rate(body):
    end = time.perf_counter() + 0.01
    while time.perf_counter() < end:
        body()
    calls = 0
    start = time.perf_counter()
    stop = start + SLICE
    while time.perf_counter() < stop:
        body()
        calls += 1
    return calls / (time.perf_counter() - start)


alice, bob = v.Account(), v.Account()
bob.generate_fallback_key()
otk = list(bob.fallback_key.values())[0]
template = alice.create_outbound_session(bob.curve25519_key, otk)
pre_key = template.encrypt(b"first").to_pre_key()
sender = template
receiver, _ = bob.create_inbound_session(alice.curve25519_key, pre_key)
payload = b"a" * 1024


def message():
    receiver.decrypt(sender.encrypt(payload))


print(json.dumps({
    "outbound": rate(lambda: alice.create_outbound_session(bob.curve25519_key, otk)),
    "inbound": rate(lambda: bob.create_inbound_session(alice.curve25519_key, pre_key)),
    "message": rate(message),
}))

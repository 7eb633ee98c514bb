#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: 2026 KeyMesh contributors
"""vodozemac's side of `keymesh bench olm`: the same three measurements, same method (median of
three slices after a warm-up), printed as JSON. Each call crosses the Python binding, which adds
about a microsecond per call; see docs/PERFORMANCE.md."""
import json
import sys
import time

import vodozemac as v

SECONDS = float(sys.argv[1]) if len(sys.argv) > 1 else 1.5


def rate(body):
    end = time.perf_counter() + 0.05
    while time.perf_counter() < end:
        body()
    rates = []
    for _ in range(3):
        calls = 0
        start = time.perf_counter()
        stop = start + SECONDS / 3
        while time.perf_counter() < stop:
            body()
            calls += 1
        rates.append(calls / (time.perf_counter() - start))
    return sorted(rates)[1]


alice, bob = v.Account(), v.Account()
bob.generate_fallback_key()
otk = list(bob.fallback_key.values())[0]
outbound = rate(lambda: alice.create_outbound_session(bob.curve25519_key, otk))

template = alice.create_outbound_session(bob.curve25519_key, otk)
pre_key = template.encrypt(b"first").to_pre_key()
inbound = rate(lambda: bob.create_inbound_session(alice.curve25519_key, pre_key))

sender = template
receiver, _ = bob.create_inbound_session(alice.curve25519_key, pre_key)
payload = b"a" * 1024


def message():
    receiver.decrypt(sender.encrypt(payload))


print(json.dumps({"outbound": outbound, "inbound": inbound, "message": rate(message)}))

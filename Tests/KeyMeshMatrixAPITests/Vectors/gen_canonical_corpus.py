#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: 2026 KeyMesh contributors
"""Generates canonical-corpus.json: random JSON values written non-canonically (whitespace,
shuffled keys, \\u escapes with surrogate pairs) with Python's canonical encoding, the
reference named by the Matrix spec:
    json.dumps(v, ensure_ascii=False, separators=(',', ':'), sort_keys=True)
Run: python3 gen_canonical_corpus.py > canonical-corpus.json (seeded: the output is stable)."""
import json
import random

rng = random.Random(20261121)
ALPHABET = (
    [chr(c) for c in range(0x20)] + list("abcXYZ019 _-/\\\"'~") + ["\x7f", "é", "e\u0301", "日", "本",
    "\u2028", "\u2029", "\ufeff", "\uffff", "\U0001F600", "\U00010000", "\U0010FFFF", "ß"]
)


def string(max_len=8):
    return "".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, max_len)))


def value(depth=0):
    kind = rng.randint(0, 7 if depth < 4 else 3)
    if kind == 0:
        return rng.choice([None, True, False])
    if kind == 1:
        return rng.choice([0, 1, -1, 2**53 - 1, -(2**53 - 1), rng.randint(-10**15, 10**15)])
    if kind in (2, 3):
        return string()
    if kind in (4, 5):
        return {string(5): value(depth + 1) for _ in range(rng.randint(0, 5))}
    return [value(depth + 1) for _ in range(rng.randint(0, 4))]


def noisy(v):
    """A non-canonical spelling of v: random key order, whitespace, ASCII escapes."""
    if isinstance(v, dict):
        items = list(v.items())
        rng.shuffle(items)
        ws = rng.choice(["", " ", "\n  ", "\t"])
        return "{" + ws + ("," + ws).join(json.dumps(k) + ws + ":" + ws + noisy(x) for k, x in items) + ws + "}"
    if isinstance(v, list):
        return "[ " + " , ".join(noisy(x) for x in v) + " ]"
    return json.dumps(v, ensure_ascii=rng.random() < 0.5)


cases = []
for _ in range(600):
    v = {string(4): value(1) for _ in range(rng.randint(1, 4))}
    cases.append({"input": noisy(v),
                  "canonical": json.dumps(v, ensure_ascii=False, separators=(",", ":"), sort_keys=True)})
print(json.dumps({"source": "gen_canonical_corpus.py (Python json.dumps reference)", "cases": cases},
                 ensure_ascii=False, indent=0))

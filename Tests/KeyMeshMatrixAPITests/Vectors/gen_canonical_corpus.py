#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: 2026 KeyMesh contributors
"""Generates canonical-corpus.json: 500 seeded random JSON values, each written non-canonically
(random whitespace and key order, random \\u escapes in either hex case, surrogate pairs, "\\/",
integers spelled as "-0", "12.0", "1.2e3", "12E+2") next to the canonical encoding computed by
the reference the Matrix spec names (appendix "Canonical JSON"):

    json.dumps(v, ensure_ascii=False, separators=(',', ':'), sort_keys=True).encode()

Python orders str keys by code point, which is the order canonical JSON requires; the corpus is
checked below to contain many objects whose code-point order differs from UTF-16 order (astral
keys next to U+E000..U+FFFF keys), and canonically-equivalent keys ("é" and "e" + U+0301).

Run: python3 gen_canonical_corpus.py > canonical-corpus.json   (seeded: the output is stable)
"""
import json
import random
import sys

rng = random.Random(0x4B65794D)  # "KeyM"
MAX_SAFE = 2**53 - 1
SPECIAL = ["é", "e\u0301", "日", "本", "\u2028", "\u2029", "\ufeff", "\uffff", "\ue000", "\x7f",
           "\U0001F600", "\U00010000", "\U0010FFFF", "/", "\\", '"', "ß"]


def char():
    kind = rng.randint(0, 9)
    if kind <= 2:
        return chr(rng.randint(0x20, 0x7E))
    if kind == 3:
        return chr(rng.randint(0x00, 0x1F))
    if kind == 4:
        return rng.choice(SPECIAL)
    if kind == 5:
        return chr(rng.choice([rng.randint(0x80, 0xD7FF), rng.randint(0xE000, 0xFFFF)]))
    if kind == 6:
        return chr(rng.randint(0xE000, 0xFFFF))
    if kind == 7:
        return chr(rng.randint(0x10000, 0x10FFFF))
    return rng.choice("abcxyz")


def string(max_len):
    return "".join(char() for _ in range(rng.randint(0, max_len)))


def integer():
    return rng.choice([0, 1, -1, MAX_SAFE, -MAX_SAFE, rng.randint(-999, 999) * 10 ** rng.randint(0, 6),
                       rng.randint(-MAX_SAFE, MAX_SAFE)])


def obj(depth):
    members = {}
    for _ in range(rng.randint(0, 4)):
        members[string(4)] = value(depth + 1)
    if rng.random() < 0.3:
        # keys that UTF-16 order would sort the other way round: U+E000..U+FFFF vs astral
        prefix = string(2)
        members[prefix + chr(rng.randint(0xE000, 0xFFFF))] = value(depth + 1)
        members[prefix + chr(rng.randint(0x10000, 0x10FFFF))] = value(depth + 1)
    if rng.random() < 0.1:
        members["é"], members["e\u0301"] = value(depth + 1), value(depth + 1)
    return members


def value(depth=0):
    kind = rng.randint(0, 6 if depth < 4 else 3)
    if kind == 0:
        return rng.choice([None, True, False])
    if kind == 1:
        return integer()
    if kind in (2, 3):
        return string(6)
    if kind in (4, 5):
        return obj(depth)
    return [value(depth + 1) for _ in range(rng.randint(0, 3))]


def ws():
    return "".join(rng.choice([" ", "\t", "\n", "\r"]) for _ in range(rng.choice([0, 0, 0, 1, 2])))


SHORT = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def u_escape(code):
    text = "\\u%04x" % code
    return text.upper().replace("\\U", "\\u") if rng.random() < 0.5 else text


def spell_string(s):
    out = []
    for c in s:
        code = ord(c)
        escape = code < 0x20 or c in '"\\' or rng.random() < 0.25
        if not escape:
            out.append(c)
        elif c in SHORT and rng.random() < 0.7:
            out.append(SHORT[c])
        elif c == "/":
            out.append("\\/")
        elif code > 0xFFFF:
            code -= 0x10000
            out.append(u_escape(0xD800 + (code >> 10)) + u_escape(0xDC00 + (code & 0x3FF)))
        else:
            out.append(u_escape(code))
    return '"' + "".join(out) + '"'


def spell_int(v):
    choice = rng.randint(0, 4)
    if v == 0:
        return rng.choice(["0", "-0", "0.0", "0e5", "-0.00E-3"])
    if choice == 1:
        return str(v) + "." + "0" * rng.randint(1, 3)
    digits = str(abs(v))
    sign = "-" if v < 0 else ""
    trailing = len(digits) - len(digits.rstrip("0"))
    if choice == 2 and trailing:
        e = rng.randint(1, trailing)
        return sign + digits[:-e] + rng.choice(["e", "E", "e+", "E+"]) + str(e)
    if choice == 3 and len(digits) > 1:
        point = rng.randint(1, len(digits) - 1)
        return sign + digits[:point] + "." + digits[point:] + rng.choice(["e", "E+"]) + str(len(digits) - point)
    return str(v)


def spell(v):
    if isinstance(v, dict):
        items = list(v.items())
        rng.shuffle(items)
        inner = ",".join(ws() + spell_string(k) + ws() + ":" + ws() + spell(x) + ws() for k, x in items)
        return "{" + (inner or ws()) + "}"
    if isinstance(v, list):
        return "[" + (",".join(ws() + spell(x) + ws() for x in v) or ws()) + "]"
    if isinstance(v, bool) or v is None:
        return json.dumps(v)
    if isinstance(v, int):
        return spell_int(v)
    return spell_string(v)


def utf16_order_differs(v):
    if isinstance(v, dict):
        keys = list(v)
        if sorted(keys) != sorted(keys, key=lambda k: k.encode("utf-16-be")):
            return True
        return any(utf16_order_differs(x) for x in v.values())
    if isinstance(v, list):
        return any(utf16_order_differs(x) for x in v)
    return False


cases = []
for n in range(500):
    v = obj(0) if n % 10 else value(1)
    text = ws() + spell(v) + ws()
    assert json.loads(text) == v, text  # Python reads our spelling back as the same value
    cases.append({"input": text,
                  "canonical": json.dumps(v, ensure_ascii=False, separators=(",", ":"), sort_keys=True)})

astral = sum(utf16_order_differs(json.loads(c["canonical"])) for c in cases)
assert astral >= 50, astral
print(f"{len(cases)} cases, {astral} with keys whose UTF-16 order differs from code-point order",
      file=sys.stderr)
lines = [json.dumps(c, ensure_ascii=False) for c in cases]
print('{"source": "gen_canonical_corpus.py: Python json.dumps(v, ensure_ascii=False, separators=(\',\',\':\'), '
      'sort_keys=True)",\n"cases": [\n' + ",\n".join(lines) + "\n]}")

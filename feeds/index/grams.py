"""The tokens of the keyword index: every character and pair of adjacent characters of a text,
as FTS5's ``ascii`` tokenizer reads them, and the FTS5 query that finds a term.

Apart from :mod:`feeds.index.search` (which fills ``grams`` and scans with it) because both
writing a post's tokens and asking for a term's must make them the same way, and deleting a
post's row from a contentless table needs its tokens made again exactly.
"""

from __future__ import annotations

import re
import sys
from array import array

__all__ = ["exact", "query", "stream"]


def exact(term: str) -> bool:
    """Whether ``term`` is one token (one or two characters): looked up, never checked."""
    return len(term) <= 2 and " " not in term


def query(term: str) -> str:
    """The FTS5 query that finds every post containing ``term``: its token, or every pair's."""
    if exact(term):
        return _quoted(_own(term))
    grams = set(stream(term).split())
    pairs = [g for g in grams if len(g) == 2]
    return " AND ".join(map(_quoted, sorted(pairs or grams)))


def stream(text: str) -> str:
    """The tokens of a folded searchable text: each character, then each pair of adjacent
    characters, repeats included. A pair across white space is cut by the tokenizer to the
    character beside it, so no token holds white space (no term does, but inside a phrase,
    which is checked against the text).

    Made without a Python object per character: the text's code points are laid out with a
    space after each character (and after every second, from the first and from the second) by
    slicing arrays, and FTS5 drops the repeated tokens in C. A set of the distinct tokens,
    built in Python, cost twice the CPU of this and of inserting it together
    (docs/decisions.md)."""
    codes = array("I")
    codes.frombytes(_own(text).encode(_UTF32))
    n = len(codes)
    half, rest = n // 2, (n - 1) // 2
    out = array("I", [ord(" ")]) * (2 * n + 3 * half + 3 * rest)
    out[0 : 2 * n : 2] = codes
    for start, at, count in ((0, 2 * n, half), (1, 2 * n + 3 * half, rest)):
        out[at : at + 3 * count : 3] = codes[start : start + 2 * count : 2]
        out[at + 1 : at + 3 * count : 3] = codes[start + 1 : start + 2 * count : 2]
    return out.tobytes().decode(_UTF32)


#: Code points as ``array("I")`` holds them (4 bytes each, in this machine's byte order).
_UTF32 = f"utf-32-{sys.byteorder[0]}e"


def _quoted(token: str) -> str:
    return f'"{token}"'


def _own(text: str) -> str:
    """``text`` with ASCII punctuation moved to the private use plane: FTS5's ``ascii``
    tokenizer takes every other character (all of Chinese) as part of a token, so every
    character and pair is then one token, and no FTS5 query syntax can occur in one."""
    return _PUNCTUATION.sub(lambda m: chr(0xF0000 + ord(m.group())), text)


#: ASCII punctuation (rare in Chinese text: a regex passes over the rest faster than translate).
_PUNCTUATION = re.compile(r"[!-/:-@\[-`{-~]")

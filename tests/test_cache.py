"""cache.py: the size bounds of the memory and filesystem backends (real files, real processes)."""

from __future__ import annotations

import itertools
import subprocess
import sys
from pathlib import Path

from feeds.cache import Entry, FilesystemStore, MemoryStore


def entry(n: int, size: int) -> Entry:
    """A distinct entry of about ``size`` bytes on disk (body and gzip form alike)."""
    body = f"{n:08d}".encode() * (size // 16)
    return Entry(body, body, f'"{n}"', "application/atom+xml", None)


def counter() -> itertools.count[int]:
    """A clock that ticks once per use: recency without waiting for the real one."""
    return itertools.count(1_000_000_000)


def test_every_new_state_replaces_its_slots_entry_in_memory() -> None:
    """Each change to the posts makes new keys: a store that kept the old states' entries
    would grow to its bound (and workers with it) however few feeds are read."""
    store = MemoryStore(10_000_000)
    slots = ("/feed.atom|50", "/feed.rss|50", "/category/a.atom|5")
    for state in range(1000):
        for k, slot in enumerate(slots):
            store.put(f"{slot}|{state}", entry(state * 3 + k, 1000 + k * 500), slot)
    assert len(store) == len(slots)
    assert store.bytes == sum(entry(0, 1000 + k * 500).size for k in range(len(slots)))
    assert store.get("/feed.atom|50|999") == entry(2997, 1000)
    assert store.get("/feed.atom|50|998") is None


def test_distinct_states_keep_memory_within_the_bound() -> None:
    bound = 100_000
    store = MemoryStore(bound)
    for n in range(2000):
        store.put(
            f"/feed.atom|{n % 200}|{n}", entry(n, 1000 + n % 7 * 700), f"/feed.atom|{n % 200}"
        )
        assert store.bytes <= bound, n
        store.put(f"unslotted-{n}", entry(n, 900))  # a key without a slot is bounded alike
        assert store.bytes <= bound, n
    assert store.bytes > bound // 2
    assert store.get("unslotted-1999") == entry(1999, 900) and store.get("unslotted-0") is None
    store.put("/feed.atom|0|again", entry(1, 1000), "/feed.atom|0")  # a slot evicted meanwhile
    assert store.bytes <= bound and store.get("/feed.atom|0|again") == entry(1, 1000)


def test_thousands_of_entries_keep_the_folder_within_the_bound(tmp_path: Path) -> None:
    bound = 200_000
    store = FilesystemStore(tmp_path, bound, counter().__next__)
    for n in range(2000):
        store.put(f"/feed.atom?n={n}", entry(n, 1000 + n % 7 * 700))
        assert store.bytes() <= bound, n
    assert store.bytes() > bound // 2  # evicted down to 3/4 of the bound, not emptied
    assert store.get("/feed.atom?n=1999") == entry(1999, 1000 + 1999 % 7 * 700)
    assert store.get("/feed.atom?n=0") is None
    kept = [p for p in tmp_path.iterdir() if not p.name.startswith(".")]
    assert 40 < len(kept) < 200 and not list(tmp_path.glob(".tmp-*"))


def test_the_least_recently_used_go_first(tmp_path: Path) -> None:
    store = FilesystemStore(tmp_path, 10_000, counter().__next__)
    for name in "abcd":
        store.put(name, entry(ord(name), 2300))  # four fit: about 9,600 bytes
    assert store.get("a") is not None  # a is now the most recently used
    store.put("e", entry(ord("e"), 2300))  # past the bound: down to 7,500
    assert [name for name in "abcde" if store.get(name) is not None] == ["a", "d", "e"]


def test_an_entry_larger_than_the_bound_is_not_kept(tmp_path: Path) -> None:
    store = FilesystemStore(tmp_path, 1000)
    store.put("big", entry(1, 2000))
    assert store.get("big") is None and store.bytes() == 0


def test_a_folder_emptied_or_a_total_garbled_by_another_hand_is_put_right(tmp_path: Path) -> None:
    store = FilesystemStore(tmp_path, 50_000, counter().__next__)
    for n in range(40):
        store.put(str(n), entry(n, 2000))
    for path in tmp_path.iterdir():
        if not path.name.startswith("."):
            path.unlink()  # emptied by hand, or evicted by another process
    assert store.get("39") is None
    (tmp_path / ".total").write_bytes(b"not a number")
    for n in range(40, 100):
        store.put(str(n), entry(n, 2000))
        assert store.bytes() <= 50_000
    assert store.get("99") == entry(99, 2000)


WORKER = """
import sys
import zlib
from pathlib import Path
from feeds.cache import Entry, FilesystemStore

folder, me = Path(sys.argv[1]), int(sys.argv[2])
store = FilesystemStore(folder, 300_000)
for n in range(600):
    key = f"shared-{n % 50}" if n % 3 else f"own-{me}-{n}"
    body = key.encode() * (1 + zlib.crc32(key.encode()) % 200)  # one key, one entry
    store.put(key, Entry(body, b"gz" + body, f'"{key}"', "application/feed+json", None))
    got = store.get(key)
    if got is not None and (got.body != body or got.gzipped != b"gz" + body):
        sys.exit(f"{key}: wrong entry")
"""


def test_processes_sharing_the_folder_keep_within_the_bound_and_never_crash(tmp_path: Path) -> None:
    # Shared keys are written by every process: one replaces a file another reads or evicts.
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, str(tmp_path), str(me)],
            stderr=subprocess.PIPE,
            text=True,
        )
        for me in range(4)
    ]
    errors = [worker.communicate(timeout=120)[1] for worker in workers]
    assert [worker.returncode for worker in workers] == [0] * 4, errors
    store = FilesystemStore(tmp_path, 300_000)
    assert 0 < store.bytes() <= 300_000
    assert int((tmp_path / ".total").read_bytes()) == store.bytes()

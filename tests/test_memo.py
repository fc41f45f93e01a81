from __future__ import annotations

from feeds import memo


def test_repeated_keys_are_worked_out_once_and_long_ones_every_time() -> None:
    calls: list[str] = []

    @memo.by_text(2)
    def upper(key: str) -> str:
        calls.append(key)
        return key.upper()

    long = "x" * (memo.LONGEST + 1)
    assert [upper("a"), upper("a"), upper(long), upper(long)] == [
        "A",
        "A",
        long.upper(),
        long.upper(),
    ]
    assert calls == ["a", long, long]  # a long key is never held
    assert [upper("b"), upper("c"), upper("a")] == ["B", "C", "A"]
    assert calls[3:] == ["b", "c", "a"]  # maxsize 2: "a" was dropped


def test_a_tuple_key_counts_all_its_characters() -> None:
    calls: list[tuple[str, ...]] = []

    @memo.by_names(8)
    def joined(key: tuple[str, ...]) -> str:
        calls.append(key)
        return "/".join(key)

    short, long = ("a", "b"), ("y" * 200, "z" * 200)  # 3 and 402 characters
    assert [joined(short), joined(short), joined(long)] == ["a/b", "a/b", "/".join(long)]
    assert joined(long) == "/".join(long)
    assert calls == [short, long, long]

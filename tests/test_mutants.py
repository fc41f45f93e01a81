"""scripts/mutate's mutants still name text that is in the source, once each: a reformat or a
refactor that moves it makes the mutation check report stale mutants instead of running them."""

from __future__ import annotations

import importlib.machinery
import importlib.util
import sys

from .conftest import REPO


def test_every_mutant_applies_once() -> None:
    loader = importlib.machinery.SourceFileLoader("mutate", str(REPO / "scripts" / "mutate"))
    spec = importlib.util.spec_from_loader("mutate", loader)
    assert spec is not None
    mutate = importlib.util.module_from_spec(spec)
    sys.modules["mutate"] = mutate  # its dataclasses look their module up
    try:
        loader.exec_module(mutate)
    finally:
        del sys.modules["mutate"]
    modules = {p.stem: p for p in (REPO / "feeds").rglob("*.py")}
    counts = {
        mu.name: modules[mu.module].read_text(encoding="utf-8").count(mu.old)
        for mu in mutate.MUTANTS
    }
    assert len(counts) >= 30
    assert {name: n for name, n in counts.items() if n != 1} == {}

"""The check that a ``metadata.json`` is the serialised form of ``cine.facts.LoopFacts``."""

from __future__ import annotations

from pathlib import Path

from cine.facts import LoopFacts, load, write


def assert_facts_round_trip(out: Path, tmp_path: Path) -> LoopFacts:
    """``load`` reads the file back into the facts that ``write`` turns into the same bytes."""
    facts = load(out / "metadata.json")
    write(facts, tmp_path / "again.json")
    assert (tmp_path / "again.json").read_bytes() == (out / "metadata.json").read_bytes()
    return facts

#!/usr/bin/env python3
"""Compile every gettext catalogue (``locale/*/LC_MESSAGES/*.po``) to its ``.mo`` file.

Django's ``compilemessages`` needs GNU gettext's ``msgfmt``, which a newcomer's laptop or a
Windows machine rarely has; polib (a dependency) writes the same binary format in pure
Python. Fuzzy and obsolete entries are left out, as ``msgfmt`` does. The ``.mo`` files are
build output (ignored by git): ``make run``, ``make test`` and a deployment run this script.

Usage: python scripts/compile_translations.py [--force] [ROOT]
"""

import argparse
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import polib

_SKIP_DIRS = {".venv", "venv", ".git", "node_modules", "var", "staticfiles", ".tox"}


def find_catalogues(root: Path) -> Iterator[Path]:
    """The project's .po files under any ``locale/<lang>/LC_MESSAGES/`` folder."""
    for dirpath, dirnames, filenames in os.walk(root):
        # Prune in place: never descend into the virtualenv (Django's own catalogues) or data.
        dirnames[:] = sorted(d for d in dirnames if d not in _SKIP_DIRS and not d.startswith("."))
        folder = Path(dirpath)
        if folder.name == "LC_MESSAGES" and folder.parent.parent.name == "locale":
            yield from (folder / name for name in sorted(filenames) if name.endswith(".po"))


def compile_catalogue(po_path: Path, *, force: bool = False) -> bool:
    """Write the .mo next to ``po_path``; return False when it was already up to date."""
    mo_path = po_path.with_suffix(".mo")
    if not force and mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
        return False
    catalogue = polib.pofile(str(po_path))
    # Write then rename, so a running server never reads a half-written catalogue; a name of
    # this process's own, as parallel test processes may compile at the same moment.
    tmp_path = mo_path.with_suffix(f".mo.{os.getpid()}.tmp")
    catalogue.save_as_mofile(str(tmp_path))
    tmp_path.replace(mo_path)
    return True


def compile_all(root: Path, *, force: bool = False, verbose: bool = False) -> list[Path]:
    """Compile every stale catalogue under ``root``; return the .po files compiled."""
    compiled = [po for po in find_catalogues(root) if compile_catalogue(po, force=force)]
    if verbose:
        for po_path in compiled:
            print(f"compiled {po_path.relative_to(root).with_suffix('.mo')}")
    return compiled


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", nargs="?", type=Path, default=Path(__file__).resolve().parents[1])
    parser.add_argument("--force", action="store_true", help="recompile up-to-date files too")
    args = parser.parse_args(argv)
    try:
        compile_all(args.root.resolve(), force=args.force, verbose=True)
    except (OSError, ValueError) as exc:  # polib raises OSError/ValueError on a broken .po
        print(f"compile_translations: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

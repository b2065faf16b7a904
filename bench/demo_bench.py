"""Time the demo data: the courses, then the demo cases made by the real pipeline.

    .venv/bin/python bench/demo_bench.py            # a throwaway SQLite database and var/

Prints the seconds each step took and the machine's load; asserts nothing (tests never
assert a wall-clock time: ``tests/cases/test_demo.py`` checks what the demo makes, this
script how long it takes).
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def main() -> int:
    folder = Path(tempfile.mkdtemp(prefix="ceus-demo-bench-"))
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "training.settings",
            "DJANGO_VAR_DIR": str(folder),  # secret key, media, broker: all throwaway
            "DATABASE_URL": f"sqlite:///{folder / 'bench.sqlite3'}",
            "DJANGO_LOG_LEVEL": "ERROR",
            "PYTHONWARNINGS": "ignore:No directory at:UserWarning",
        }
    )
    sys.path.insert(0, str(REPO))
    try:
        import django

        django.setup()
        from django.core.management import call_command

        from demo.cases import load_demo_cases
        from demo.courses import load_demo_data

        call_command("migrate", verbosity=0)
        print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} before the run")
        started = time.perf_counter()
        load_demo_data()
        print(f"demo courses and accounts: {time.perf_counter() - started:.1f} s")
        started = time.perf_counter()
        made = load_demo_cases()
        print(f"demo cases (made={made}): {time.perf_counter() - started:.1f} s")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

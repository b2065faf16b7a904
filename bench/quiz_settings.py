"""Settings for bench/quiz_bench.py only: the project's settings, tuned for many writers.

Never used by the platform itself.
"""

from training.settings import *  # noqa: F403
from training.settings import DATABASES

ROOT_URLCONF = "bench.quiz_urls"

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # 50 trainees autosaving means many concurrent writers on one file. WAL lets readers go on
    # while one transaction writes; writers still queue (IMMEDIATE transactions take the write
    # lock at BEGIN, so none deadlocks upgrading a read lock) and wait up to 60 s for it.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 60,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }

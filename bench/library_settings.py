"""Settings for bench/library_bench.py only: the project's settings plus a yardstick URL.

Never used by the platform itself: the yardstick view exists only under ``bench.library_urls``.
"""

from training.settings import *  # noqa: F403

ROOT_URLCONF = "bench.library_urls"

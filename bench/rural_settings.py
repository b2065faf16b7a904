"""Settings for bench/rural_bench.py only: the project's settings, with static files served as
in production and Celery eager.

Never used by the platform itself.
"""

from training.settings import *  # noqa: F403
from training.settings import STORAGES, VAR_DIR

# The bench makes its loops in its own process and starts no worker: every task (processing,
# and whatever follows it) runs where it is sent.
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True

# Static files as a deployment serves them (collectstatic, hashed and compressed, WhiteNoise),
# collected into the bench's own folder: the page weight measured is the production one.
STATIC_ROOT = VAR_DIR / "static"
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

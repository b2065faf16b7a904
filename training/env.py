"""Read settings from the environment through one helper.

Every setting that can come from the environment goes through these functions so that
the names are greppable and a missing required value fails loudly at start-up.
"""

import os
import secrets
import tempfile
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str | None = None) -> str | None:
    return os.environ.get(name, default)


def env_required(name: str, reason: str) -> str:
    value = os.environ.get(name, "").strip()
    if not value:
        raise ImproperlyConfigured(f"The environment variable {name} must be set: {reason}")
    return value


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean (use 1/0, true/false).")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name}={raw!r} is not an integer.") from exc


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def local_secret(path: str | os.PathLike[str], *, nbytes: int = 50) -> str:
    """A random secret made once and kept in ``path`` (owner-only), for development machines:
    it survives restarts, and every process sharing the folder (web, workers) reads the same.

    The file appears complete or not at all (written aside, then linked into place), so two
    processes starting together agree on one value.
    """
    path = Path(path)
    if not path.exists():
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")  # mode 0600
        try:
            with os.fdopen(fd, "w") as tmp_file:
                tmp_file.write(secrets.token_urlsafe(nbytes))
            os.link(tmp, path)
        except FileExistsError:
            pass  # another process won the race: use its value
        finally:
            os.unlink(tmp)
    return path.read_text().strip()

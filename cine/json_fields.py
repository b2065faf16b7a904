"""Reading the values of a JSON object with their types checked, for ``cine.facts``: each
``get_*`` returns the value of ``key`` as its type, or raises ``MetadataError``."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

Json = dict[str, Any]  # a JSON object, as json.loads gives it


class MetadataError(ValueError):
    """A metadata.json that is not the serialised form of ``LoopFacts``."""


REQUIRED: Any = object()  # the default of a key every file has


def value_of(
    data: Mapping[str, Any], key: str, kinds: tuple[type | None, ...], default: Any
) -> Any:
    if key not in data:
        if default is REQUIRED:
            raise MetadataError(f"metadata: {key!r} is missing")
        return default
    value = data[key]
    if value is None and None in kinds:
        return None
    if isinstance(value, bool) and bool not in kinds:  # JSON true is no number
        raise MetadataError(f"metadata: {key!r} has the wrong type")
    if not isinstance(value, tuple(k for k in kinds if k is not None)):
        raise MetadataError(f"metadata: {key!r} has the wrong type")
    return value


def get_str(data: Mapping[str, Any], key: str) -> str:
    return str(value_of(data, key, (str,), REQUIRED))


def get_opt_str(data: Mapping[str, Any], key: str, default: str | None = REQUIRED) -> str | None:
    value = value_of(data, key, (str, None), default)
    return None if value is None else str(value)


def get_int(data: Mapping[str, Any], key: str, default: int = REQUIRED) -> int:
    return int(value_of(data, key, (int,), default))


def get_opt_int(data: Mapping[str, Any], key: str, default: int | None = REQUIRED) -> int | None:
    value = value_of(data, key, (int, None), default)
    return None if value is None else int(value)


def get_float(data: Mapping[str, Any], key: str) -> float:
    return float(value_of(data, key, (int, float), REQUIRED))


def get_opt_float(data: Mapping[str, Any], key: str) -> float | None:
    value = value_of(data, key, (int, float, None), REQUIRED)
    return None if value is None else float(value)


def get_bool(data: Mapping[str, Any], key: str, default: bool = REQUIRED) -> bool:
    return bool(value_of(data, key, (bool,), default))


def get_ints(data: Mapping[str, Any], key: str, length: int | None = None) -> tuple[int, ...]:
    values = value_of(data, key, (list,), REQUIRED)
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        raise MetadataError(f"metadata: {key!r} must hold integers")
    if length is not None and len(values) != length:
        raise MetadataError(f"metadata: {key!r} must hold {length} integers")
    return tuple(int(v) for v in values)


def get_sections(data: Mapping[str, Any], key: str) -> tuple[Mapping[str, Any], ...]:
    """A list of JSON objects; an absent key reads as none."""
    values = value_of(data, key, (list,), [])
    if not all(isinstance(v, dict) for v in values):
        raise MetadataError(f"metadata: {key!r} must hold objects")
    return tuple(values)


def get_section(data: Mapping[str, Any], key: str, *, optional: bool = False) -> Mapping[str, Any]:
    section: Mapping[str, Any] | None
    if optional:
        section = value_of(data, key, (dict, None), None)
    else:
        section = value_of(data, key, (dict,), REQUIRED)
    return section or {}


def get_file(data: Mapping[str, Any]) -> str:
    """An output's file name: a bare name inside the output folder, never a path."""
    name = get_str(data, "file")
    if not name or Path(name).name != name or name in (".", ".."):
        raise MetadataError("metadata: an output's 'file' must be a plain file name")
    return name

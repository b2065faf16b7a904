"""Data migrations for django-modeltranslation: keep existing content as the source language.

When a field is registered for translation, its new ``<field>_en`` / ``<field>_zh_hans``
columns start empty; the text written before then is English and is copied into ``_en``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from django.db.models import F

SOURCE_LANGUAGE_SUFFIX = "en"


def copy_to_source_language(
    app_label: str, models_fields: Mapping[str, Sequence[str]]
) -> Callable[..., None]:
    """A ``RunPython`` function copying each field's current value into its ``_en`` column."""

    def forwards(apps, schema_editor) -> None:
        for model_name, fields in models_fields.items():
            model = apps.get_model(app_label, model_name)
            model._base_manager.update(
                **{f"{field}_{SOURCE_LANGUAGE_SUFFIX}": F(field) for field in fields}
            )

    return forwards

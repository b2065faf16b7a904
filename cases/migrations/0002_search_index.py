"""The GIN index behind the library's full-text search, on PostgreSQL only.

It indexes exactly the expression ``cases.search`` queries with
(``to_tsvector('simple', search_text)``). Other databases have no such index type, so it is
created here rather than declared in ``Meta.indexes``; the migration does nothing elsewhere.
"""

from django.db import migrations


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from cases.search import search_index

    schema_editor.add_index(apps.get_model("cases", "Case"), search_index())


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from cases.search import search_index

    schema_editor.remove_index(apps.get_model("cases", "Case"), search_index())


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]

    operations = [migrations.RunPython(create_index, drop_index, elidable=False)]

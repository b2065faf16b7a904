from django.db import migrations, models
from django.db.models import Q

FILE_FIELDS = [
    "video_file",
    "poster_file",
    "thumbnails_file",
    "dicom_file",
    "intensity_file",
    "metadata_file",
]


def outputs_in_derived(apps, schema_editor):
    """Loops processed before runs had folders keep theirs: ``loops/<pk>/derived/``."""
    CineLoop = apps.get_model("cineloops", "CineLoop")
    with_files = Q()
    for field in FILE_FIELDS:
        with_files |= ~Q(**{field: ""})
    CineLoop.objects.filter(with_files).update(output_run="derived")


class Migration(migrations.Migration):

    dependencies = [
        ("cineloops", "0004_dicom_sender"),
    ]

    operations = [
        migrations.AddField(
            model_name="cineloop",
            name="output_run",
            field=models.CharField(
                blank=True, max_length=40, verbose_name="processing run of the files"
            ),
        ),
        migrations.RunPython(outputs_in_derived, migrations.RunPython.noop),
    ]

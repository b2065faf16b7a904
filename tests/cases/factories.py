"""factory_boy factories for the case library (published content unless told otherwise)."""

from __future__ import annotations

import factory
from django.core.files.base import ContentFile
from django.utils import timezone

from cases.models import Case, CaseLoop, CaseStatus, Tag
from cineloops import storage
from cineloops.models import CineLoop
from core.scoping import Visibility
from tests.factories import InstitutionFactory

# One 2D tissue region of a 320 x 240 image, 0.05 cm per pixel, as the pipeline stores it.
REGION = {
    "bounds": [20, 30, 299, 229],
    "spatial_format": "2D",
    "data_type": "tissue",
    "units_x": "cm",
    "units_y": "cm",
    "delta_x": 0.05,
    "delta_y": 0.05,
    "cm_per_pixel_x": 0.05,
    "cm_per_pixel_y": 0.05,
    "fits_image": True,
}


class ReadyLoopFactory(factory.django.DjangoModelFactory):
    """A processed loop's row (no files unless ``with_files`` is used)."""

    class Meta:
        model = CineLoop

    institution = factory.SubFactory(InstitutionFactory)
    source = CineLoop.Source.UPLOAD
    status = CineLoop.Status.READY
    progress = 100
    frames = 450
    fps = 15.0
    duration_s = 30.0
    rows = 240
    columns = 320
    regions = factory.LazyFunction(lambda: [dict(REGION)])
    poster_file = "poster.jpg"
    video_file = "video.mp4"
    metadata_file = "metadata.json"
    output_run = factory.LazyFunction(storage.new_run_name)
    processed_at = factory.LazyFunction(timezone.now)


def with_files(loop: CineLoop) -> CineLoop:
    """Store small stand-ins for the loop's poster and video, so its media URLs serve."""
    stand_ins = {"poster": b"\xff\xd8poster", "video": b"\x00\x00\x00\x18ftypmp42video"}
    for kind, data in stand_ins.items():
        storage.media().save(loop.output_name(kind), ContentFile(data))
    return loop


class CaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Case
        skip_postgeneration_save = True

    institution = factory.SubFactory(InstitutionFactory)
    title = factory.Sequence(lambda n: f"Case {n}")
    organ = "liver"
    modality = "ceus"
    final_diagnosis = "Hepatocellular carcinoma"
    category = "LR-5"
    status = CaseStatus.PUBLISHED
    visibility = Visibility.INSTITUTION

    @factory.post_generation
    def loops(self, create, extracted, **kwargs):
        for order, loop in enumerate(extracted or ()):
            CaseLoop.objects.create(case=self, loop=loop, order=order)

    @factory.post_generation
    def tags(self, create, extracted, **kwargs):
        if extracted:
            self.tags.set(Tag.objects.get_or_create(name=name)[0] for name in extracted)

    @factory.post_generation
    def search(self, create, extracted, **kwargs):
        from cases.services.authoring import refresh_search_text

        refresh_search_text(self)

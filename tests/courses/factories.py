"""factory_boy factories for the courses app (published content unless told otherwise)."""

import factory

from core.scoping import PublicationStatus, Visibility
from courses.models import Cohort, Course, Enrolment, Lesson, LessonCompletion, Module
from tests.factories import InstitutionFactory

PUBLISHED = PublicationStatus.PUBLISHED
DRAFT = PublicationStatus.DRAFT


class CourseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Course

    institution = factory.SubFactory(InstitutionFactory)
    title = factory.Sequence(lambda n: f"Course {n}")
    slug = factory.Sequence(lambda n: f"course-{n}")
    summary = "A course."
    status = PUBLISHED
    visibility = Visibility.INSTITUTION


class ModuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Module
        skip_postgeneration_save = True

    course = factory.SubFactory(CourseFactory)
    title = factory.Sequence(lambda n: f"Module {n}")
    order = factory.Sequence(int)
    status = PUBLISHED

    @factory.post_generation
    def prerequisites(self, create, extracted, **kwargs):
        if create and extracted:
            self.prerequisites.set(extracted)


class LessonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Lesson

    module = factory.SubFactory(ModuleFactory)
    title = factory.Sequence(lambda n: f"Lesson {n}")
    body = "Some *Markdown*."
    order = factory.Sequence(int)
    status = PUBLISHED


class EnrolmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enrolment

    user = factory.SubFactory("tests.factories.TraineeFactory")
    course = factory.SubFactory(CourseFactory)


class LessonCompletionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LessonCompletion

    user = factory.SubFactory("tests.factories.TraineeFactory")
    lesson = factory.SubFactory(LessonFactory)


class CohortFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cohort

    name = factory.Sequence(lambda n: f"Cohort {n}")
    institution = factory.SubFactory(InstitutionFactory)


def lessons_of(course: Course) -> list[Lesson]:
    """All lessons of a course in course order."""
    return list(Lesson.objects.filter(module__course=course).in_course_order())

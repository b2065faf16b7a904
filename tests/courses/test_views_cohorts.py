"""Director pages: cohorts of their institution, enrolment and the progress table."""

import pytest
from django.urls import reverse

from courses.models import Cohort, Enrolment
from tests.courses.factories import CohortFactory, LessonCompletionFactory, lessons_of
from tests.factories import DirectorFactory, TraineeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def director_client(client, director):
    client.force_login(director)
    return client


def test_only_directors_and_site_admins_reach_cohorts(client, trainee, instructor, site_admin):
    for user in (trainee, instructor):
        client.force_login(user)
        assert client.get(reverse("courses:cohorts")).status_code == 403
        assert client.get(reverse("courses:cohort_create")).status_code == 403
    client.force_login(site_admin)
    assert client.get(reverse("courses:cohorts")).status_code == 200


def test_director_sees_and_manages_only_own_institutions_cohorts(
    director_client, hospital, other_hospital
):
    own = CohortFactory(institution=hospital)
    foreign = CohortFactory(institution=other_hospital)
    response = director_client.get(reverse("courses:cohorts"))
    assert list(response.context["cohorts"]) == [own]
    assert (
        director_client.get(reverse("courses:cohort_detail", args=[foreign.pk])).status_code == 404
    )
    assert (
        director_client.post(reverse("courses:cohort_enrol", args=[foreign.pk])).status_code == 404
    )


def test_create_cohort_assign_and_enrol(director_client, director, hospital, trainee, course):
    director_client.post(reverse("courses:cohort_create"), {"name": "Spring intake"})
    cohort = Cohort.objects.get(name="Spring intake")
    assert (cohort.institution, cohort.director) == (hospital, director)

    detail = reverse("courses:cohort_detail", args=[cohort.pk])
    response = director_client.post(
        detail, {"name": "Spring intake", "members": [trainee.pk], "courses": [course.pk]}
    )
    assert response.status_code == 302
    assert list(cohort.members.all()) == [trainee]
    assert not Enrolment.objects.exists()  # saving does not enrol

    director_client.post(reverse("courses:cohort_enrol", args=[cohort.pk]))
    enrolment = Enrolment.objects.get(user=trainee, course=course)
    assert enrolment.cohort == cohort

    LessonCompletionFactory(user=trainee, lesson=lessons_of(course)[0])
    page = director_client.get(detail)
    row = page.context["table"].rows[0]
    assert row.member == trainee
    assert row.cells[0].progress.percent == 25
    assert "25 %" in page.text


def test_membership_form_refuses_people_from_elsewhere(director_client, director, other_hospital):
    cohort = CohortFactory(institution=director.institution)
    outsider = TraineeFactory(institution=other_hospital)
    response = director_client.post(
        reverse("courses:cohort_detail", args=[cohort.pk]),
        {"name": cohort.name, "members": [outsider.pk]},
    )
    assert response.status_code == 200
    assert "members" in response.context["form"].errors
    assert not cohort.members.exists()


def test_duplicate_cohort_name_is_a_form_error(director_client, director):
    CohortFactory(institution=director.institution, name="Spring")
    response = director_client.post(reverse("courses:cohort_create"), {"name": "Spring"})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert Cohort.objects.count() == 1


def test_director_of_another_institution_cannot_see_the_table(client, other_hospital, hospital):
    cohort = CohortFactory(institution=hospital)
    client.force_login(DirectorFactory(institution=other_hospital))
    assert client.get(reverse("courses:cohort_detail", args=[cohort.pk])).status_code == 404

"""Roles: who is a site admin, who may author content."""

import pytest

from accounts.models import User
from tests.factories import (
    DirectorFactory,
    InstitutionFactory,
    InstructorFactory,
    SiteAdminFactory,
    TraineeFactory,
)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("factory", "site_admin", "instructor", "director", "can_author"),
    [
        (TraineeFactory, False, False, False, False),
        (InstructorFactory, False, True, False, True),
        (DirectorFactory, False, False, True, False),
        (SiteAdminFactory, True, False, False, True),
    ],
)
def test_role_properties(factory, site_admin, instructor, director, can_author):
    user = factory()

    assert user.is_site_admin is site_admin
    assert user.is_instructor is instructor
    assert user.is_director is director
    assert user.can_author is can_author


@pytest.mark.django_db
def test_an_instructor_without_institution_cannot_author():
    assert InstructorFactory(institution=None).can_author is False


@pytest.mark.django_db
def test_a_superuser_is_a_site_admin_whatever_the_role():
    assert TraineeFactory(is_superuser=True).is_site_admin is True


@pytest.mark.django_db
def test_institution_str_and_members():
    institution = InstitutionFactory(name="Zhejiang Provincial People's Hospital")
    TraineeFactory.create_batch(2, institution=institution)

    assert str(institution) == "Zhejiang Provincial People's Hospital"
    assert institution.members.count() == 2
    assert User.objects.filter(institution=institution, role=User.Role.TRAINEE).count() == 2


def test_time_zone_list_starts_with_the_platform_zone_then_china(settings):
    from accounts.models import _timezone_choices

    settings.TIME_ZONE = "Europe/Berlin"
    names = [name for name, _label in _timezone_choices()]
    assert names[:2] == ["Europe/Berlin", "Asia/Shanghai"]
    assert len(names) == len(set(names))  # not listed twice further down

    settings.TIME_ZONE = "Asia/Shanghai"
    names = [name for name, _label in _timezone_choices()]
    assert names[0] == "Asia/Shanghai" and names.count("Asia/Shanghai") == 1
    assert names[1:] == sorted(names[1:])

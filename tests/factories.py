"""factory_boy factories shared by the whole suite."""

import factory
from rest_framework.test import APIClient

from accounts.models import Institution, User


class InstitutionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Institution

    name = factory.Sequence(lambda n: f"Hospital {n}")
    short_name = factory.Sequence(lambda n: f"H{n}")
    level = Institution.Level.COUNTY
    region = "Zhejiang"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    role = User.Role.TRAINEE
    institution = factory.SubFactory(InstitutionFactory)
    password = factory.django.Password("correct horse battery")


class TraineeFactory(UserFactory):
    role = User.Role.TRAINEE


class InstructorFactory(UserFactory):
    role = User.Role.INSTRUCTOR


class DirectorFactory(UserFactory):
    role = User.Role.DIRECTOR


class SiteAdminFactory(UserFactory):
    role = User.Role.SITE_ADMIN
    institution = None
    is_staff = True


def api_for(user) -> APIClient:
    """An API client signed in as ``user`` (no token round trip)."""
    client = APIClient()
    client.force_authenticate(user)
    return client

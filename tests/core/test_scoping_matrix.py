"""Every rule of ``core.scoping`` read both ways — as SQL (``q()``, the querysets) and in Python
(``holds()``, the ``may_*`` predicates and model methods) — over every kind of user and every
kind of row: the two readings agree, and each rule admits the rows it should.

Users: a site admin, instructors of A and of B, a trainee and a director of A, an anonymous
visitor. Rows: cases of A and of B, private to their institution or shared with the network,
in draft, in review and published (12), plus loops, cohorts and programmes of A and B.
"""

from __future__ import annotations

import itertools

import pytest
from django.contrib.auth.models import AnonymousUser

from cases.models import Case, CaseLoop, CaseStatus
from certification.models import Programme
from certification.selectors import manageable_programmes
from certification.services.certificates import can_manage
from cineloops.models import CineLoop
from core import scoping
from core.scoping import Visibility
from courses.models import Cohort
from tests.cases.factories import CaseFactory, ReadyLoopFactory
from tests.certification.factories import ProgrammeFactory
from tests.courses.factories import CohortFactory
from tests.factories import (
    DirectorFactory,
    InstitutionFactory,
    InstructorFactory,
    SiteAdminFactory,
    TraineeFactory,
)

pytestmark = pytest.mark.django_db

USERS = ["site_admin", "instructor_a", "instructor_b", "trainee_a", "director_a", "anonymous"]
STATUSES = [CaseStatus.DRAFT, CaseStatus.IN_REVIEW, CaseStatus.PUBLISHED]

# How many of the 12 cases each rule admits for each user (A and B own 6 each; of each
# institution's 6, one is published and private, one published and shared).
EXPECTED = {
    #               acting edit manage visible
    "site_admin": (12, 12, 12, 12),
    "instructor_a": (6, 6, 0, 7),  # A's six, plus B's published shared case to read
    "instructor_b": (6, 6, 0, 7),
    "trainee_a": (6, 0, 0, 3),  # A's two published, B's published shared
    "director_a": (6, 0, 6, 3),
    "anonymous": (0, 0, 0, 0),
}
RULES = [scoping.acting_rule, scoping.edit_rule, scoping.manage_rule, scoping.visible_rule]


@pytest.fixture
def world():
    a, b = InstitutionFactory(), InstitutionFactory()
    users = {
        "site_admin": SiteAdminFactory(),
        "instructor_a": InstructorFactory(institution=a),
        "instructor_b": InstructorFactory(institution=b),
        "trainee_a": TraineeFactory(institution=a),
        "director_a": DirectorFactory(institution=a),
        "anonymous": AnonymousUser(),
    }
    for institution, visibility, status in itertools.product((a, b), Visibility.values, STATUSES):
        loop = ReadyLoopFactory(institution=institution)
        CaseFactory(institution=institution, visibility=visibility, status=status, loops=[loop])
    for institution in (a, b):
        CohortFactory(institution=institution)
        ProgrammeFactory(institution=institution)
    return a, b, users


def pks(rows) -> set[int]:
    return {row.pk for row in rows}


@pytest.mark.parametrize("who", USERS)
def test_each_rule_reads_the_same_in_sql_and_in_python(world, who):
    _, _, users = world
    user = users[who]
    cases = list(Case.objects.all())
    links = list(CaseLoop.objects.select_related("case"))
    for rule_for, expected in zip(RULES, EXPECTED[who], strict=True):
        rule = rule_for(user)
        in_sql = pks(Case.objects.filter(rule.q()))
        in_python = pks(case for case in cases if rule.holds(case))
        assert in_sql == in_python, (rule_for.__name__, who)
        assert len(in_sql) == expected, (rule_for.__name__, who)
        # Through a relation (``prefix``), as child rows are filtered.
        through = pks(CaseLoop.objects.filter(rule.q("case__")))
        assert through == pks(link for link in links if rule.holds(link.case))


@pytest.mark.parametrize("who", USERS)
def test_the_querysets_and_the_predicates_agree(world, who):
    a, b, users = world
    user = users[who]
    cases = list(Case.objects.all())
    assert pks(Case.objects.for_user(user)) == pks(c for c in cases if c.is_visible_to(user))
    assert pks(Case.objects.for_user(user)) == pks(c for c in cases if scoping.may_see(user, c))
    assert pks(Case.objects.filter(scoping.visible_q(user))) == pks(Case.objects.for_user(user))
    assert pks(Case.objects.editable_by(user)) == pks(c for c in cases if c.is_editable_by(user))
    assert pks(Case.objects.editable_by(user)) == pks(c for c in cases if scoping.may_edit(user, c))

    loops = list(CineLoop.objects.all())
    editable_loops = pks(CineLoop.objects.editable_by(user))
    assert editable_loops == pks(loop for loop in loops if loop.is_editable_by(user))
    assert len(editable_loops) == EXPECTED[who][1] and editable_loops <= pks(
        CineLoop.objects.for_user(user)
    )

    cohorts = list(Cohort.objects.all())
    managed = pks(Cohort.objects.manageable_by(user))
    assert managed == pks(c for c in cohorts if scoping.may_manage(user, c))
    programmes = list(Programme.objects.all())
    assert pks(manageable_programmes(user)) == pks(p for p in programmes if can_manage(user, p))
    assert len(managed) == {"site_admin": 2, "director_a": 1}.get(who, 0)

    assert scoping.acts_for(user, a.pk) == (who not in ("instructor_b", "anonymous"))
    assert scoping.acts_for(user, b.pk) == (who in ("site_admin", "instructor_b"))


@pytest.mark.parametrize("who", USERS)
def test_what_an_institution_is_shared(world, who):
    """``shared_with``: the published part of what the institution's members read."""
    a, _, users = world
    user = users[who]
    institution_id = getattr(user, "institution_id", None)
    rule = scoping.shared_with_rule(institution_id)
    cases = list(Case.objects.all())
    shared = pks(Case.objects.filter(scoping.shared_with_q(institution_id)))
    assert shared == pks(c for c in cases if rule.holds(c))
    expected = {a.pk: 3, None: 2}.get(institution_id, 3)  # admins and visitors: network only
    assert len(shared) == expected
    assert all(c.status == CaseStatus.PUBLISHED for c in Case.objects.filter(pk__in=shared))


def test_nobody_acts_for_no_institution_but_a_site_admin(world):
    _, _, users = world
    assert scoping.acts_for(users["site_admin"], None)
    assert not any(scoping.acts_for(users[who], None) for who in USERS if who != "site_admin")


def test_every_row_ored_with_a_rule_stays_every_row():
    """``Q() | x`` is ``x`` in Django: the rules absorb "everything" before building a Q."""
    some = scoping.shared_with_rule(1)
    assert scoping.EVERYTHING | some is scoping.EVERYTHING
    assert some | scoping.EVERYTHING is scoping.EVERYTHING
    assert scoping.NOTHING & some is scoping.NOTHING
    assert (scoping.EVERYTHING & some) is some and (scoping.NOTHING | some) is some
    assert not scoping.EVERYTHING.q()  # an empty Q: no condition at all

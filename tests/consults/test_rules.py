"""The consult rules of ``core.scoping`` read the same in SQL and in Python, over every role of
the three hospitals; and the inbox holds exactly the scanners' unused loops."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from cases.models import CaseStatus
from cineloops.models import CineLoop
from consults.models import Consultation
from consults.selectors import inbox_loops, selectable_loops
from core import scoping
from tests.cases.factories import CaseFactory, ReadyLoopFactory
from tests.consults.factories import network, submit

pytestmark = pytest.mark.django_db

RULES = [
    scoping.consult_rule,
    scoping.consult_requester_rule,
    scoping.consult_expert_rule,
    scoping.consult_centre_rule,
]
# (reads, requesting side, expert, centre staff) for a consult from the county hospital to the
# centre.
EXPECTED = {
    "county_trainee": (True, True, False, False),
    "county_instructor": (True, True, False, False),
    "county_director": (True, True, False, False),
    "centre_trainee": (False, False, False, False),
    "expert": (True, False, True, True),
    "second_expert": (True, False, True, True),
    "centre_director": (True, False, False, True),
    "other_trainee": (False, False, False, False),
    "other_instructor": (False, False, False, False),
    "other_director": (False, False, False, False),
    "site_admin": (True, False, False, False),
}


@pytest.mark.parametrize("who", [*EXPECTED, "anonymous"])
def test_each_consult_rule_reads_the_same_in_sql_and_in_python(who):
    net = network()
    ours = submit(net)
    scanner = ReadyLoopFactory(institution=net.other, source=CineLoop.Source.DICOM_NETWORK)
    theirs = submit(net, by="other_trainee", loops=[scanner])
    user = AnonymousUser() if who == "anonymous" else net[who]
    for rule in RULES:
        in_sql = set(Consultation.objects.filter(rule(user).q()).values_list("pk", flat=True))
        in_python = {c.pk for c in (ours, theirs) if rule(user).holds(c)}
        assert in_sql == in_python, rule.__name__
    admitted = tuple(rule(user).holds(ours) for rule in RULES)
    assert admitted == EXPECTED.get(who, (False,) * len(RULES))
    # Who a request to the centre may name as its expert: the same rule, before any consult.
    assert scoping.is_expert_of(user, net.centre.pk) == admitted[2]
    assert scoping.is_expert_of(user, net.county.pk) == (who == "county_instructor")


def test_the_inbox_holds_the_scanners_loops_nothing_uses_yet():
    net = network()
    county = net.county
    scanner = dict(institution=county, source=CineLoop.Source.DICOM_NETWORK)
    waiting, in_consult, in_case = net.loops[0], net.loops[1], ReadyLoopFactory(**scanner)
    processing = ReadyLoopFactory(**scanner, status=CineLoop.Status.PROCESSING)
    ReadyLoopFactory(**scanner, status=CineLoop.Status.FAILED)
    ReadyLoopFactory(institution=county)  # uploaded, not from a scanner
    ReadyLoopFactory(institution=net.other, source=CineLoop.Source.DICOM_NETWORK)
    submit(net, loops=[in_consult])
    # A draft case (exam material, perhaps): its loop is never listed, nor shown to trainees.
    CaseFactory(institution=county, loops=[in_case], status=CaseStatus.DRAFT)
    trainee = net["county_trainee"]

    assert {loop.pk for loop in inbox_loops(trainee)} == {waiting.pk, processing.pk}
    assert inbox_loops(net["other_trainee"]).filter(institution=county).count() == 0
    assert not inbox_loops(net["site_admin"]).exists()
    # The trainee sees the ready inbox loop (its media), and may pick either for a request.
    visible = set(CineLoop.objects.for_user(trainee).values_list("pk", flat=True))
    assert waiting.pk in visible and in_case.pk not in visible
    assert {waiting.pk, processing.pk} <= set(
        selectable_loops(trainee).values_list("pk", flat=True)
    )

"""The PostgreSQL full-text path (CI runs the suite on PostgreSQL; skipped on SQLite)."""

import pytest
from django.db import connection

from cases.filters import filters_from
from cases.models import Case
from cases.search import apply_search
from cases.selectors import library_cases
from tests.cases.factories import CaseFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="full-text search needs PostgreSQL"
    ),
]


def test_the_gin_index_exists_and_serves_the_search(trainee, hospital):
    for n in range(30):
        CaseFactory(
            institution=hospital, title=f"Nodule {n}", final_diagnosis="FNH", category="LR-1"
        )
    CaseFactory(institution=hospital, title="Hepatocellular carcinoma with wash-out")
    with connection.cursor() as cursor:
        indexes = connection.introspection.get_constraints(cursor, "cases_case")
        assert indexes["cases_case_search_gin"]["type"] == "gin"
        # The search condition alone (the library adds visibility rules the planner may
        # prefer on a table this small): it must be the indexed expression.
        sql, params = apply_search(Case.objects.all(), "hepato carc").query.sql_with_params()
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "cases_case_search_gin" in plan
    cases = library_cases(trainee, filters_from({"q": "hepato carc"}))
    assert [c.title for c in cases] == ["Hepatocellular carcinoma with wash-out"]


def test_relevance_puts_the_best_match_first(trainee, hospital):
    CaseFactory(institution=hospital, title="Liver", final_diagnosis="Metastasis")
    CaseFactory(
        institution=hospital,
        title="Liver metastasis",
        final_diagnosis="Metastasis",
        tags=["metastasis"],
    )

    titles = [c.title for c in library_cases(trainee, filters_from({"q": "metastasis"}))]

    assert titles == ["Liver metastasis", "Liver"]

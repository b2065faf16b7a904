"""The library list: search, filters, sorting, pagination, bookmarks and "reviewed", in a
constant number of SQL queries."""

import re

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from cases.models import Bookmark, Case, CaseWatch, Tag
from core.scoping import Visibility
from tests.cases.factories import CaseFactory, ReadyLoopFactory
from tests.factories import InstitutionFactory, api_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def library(hospital, other_hospital):
    hcc = CaseFactory(
        institution=hospital,
        title="Nodule in a cirrhotic liver",
        final_diagnosis="Hepatocellular carcinoma",
        arterial_enhancement="hyper",
        arterial_pattern="non_rim",
        washout_degree="mild",
        difficulty=2,
        tags=["cirrhosis", "HBV"],
    )
    haemangioma = CaseFactory(
        institution=hospital,
        title="Incidental liver lesion",
        final_diagnosis="Haemangioma",
        category="LR-1",
        arterial_pattern="none",
        washout_degree="none",
        difficulty=1,
        tags=["benign"],
    )
    thyroid = CaseFactory(
        institution=other_hospital,
        visibility=Visibility.NETWORK,
        title="甲状腺结节",
        organ="thyroid",
        category="TR5",
        final_diagnosis="Papillary thyroid carcinoma 甲状腺乳头状癌",
        difficulty=3,
        tags=["thyroid"],
    )
    return {"hcc": hcc, "haemangioma": haemangioma, "thyroid": thyroid}


def titles(user, **params) -> list[str]:
    response = api_for(user).get("/api/v1/cases/", params)
    assert response.status_code == 200
    return [row["title"] for row in response.json()["results"]]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("hepatocellular", ["Nodule in a cirrhotic liver"]),
        ("HEPATO carcinoma", ["Nodule in a cirrhotic liver"]),  # word prefixes, any case
        ("carcinoma", ["甲状腺结节", "Nodule in a cirrhotic liver"]),
        ("hyperenhancement non-rim", ["Nodule in a cirrhotic liver"]),  # findings
        ("wash-out", ["Nodule in a cirrhotic liver"]),
        ("cirrhosis", ["Nodule in a cirrhotic liver"]),  # a tag
        ("LR-1", ["Incidental liver lesion"]),
        ("甲状腺", ["甲状腺结节"]),  # Chinese: substring match on every backend
        ("乳头状癌", ["甲状腺结节"]),
        ("廓清", ["Nodule in a cirrhotic liver"]),  # the Chinese label of a finding
        ("liver haemangioma", ["Incidental liver lesion"]),
        ("pancreas", []),
    ],
)
def test_search(trainee, library, query, expected):
    assert sorted(titles(trainee, q=query)) == sorted(expected)


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"organ": "thyroid"}, ["甲状腺结节"]),
        ({"organ": "liver", "difficulty": "1"}, ["Incidental liver lesion"]),
        ({"category": "lr-5"}, ["Nodule in a cirrhotic liver"]),
        ({"tag": "hbv"}, ["Nodule in a cirrhotic liver"]),
        ({"modality": "b_mode"}, []),
        (
            {"organ": "nonsense"},
            ["甲状腺结节", "Incidental liver lesion", "Nodule in a cirrhotic liver"],
        ),
    ],
)
def test_filters(trainee, library, params, expected):
    assert sorted(titles(trainee, **params)) == sorted(expected)


def test_institution_filter_and_visibility(trainee, library, other_hospital, hospital):
    assert titles(trainee, institution=other_hospital.pk) == ["甲状腺结节"]
    assert len(titles(trainee, institution=hospital.pk)) == 2


def test_sorting(trainee, library):
    assert titles(trainee, sort="difficulty") == [
        "Incidental liver lesion",
        "Nodule in a cirrhotic liver",
        "甲状腺结节",
    ]
    assert titles(trainee, sort="-difficulty")[0] == "甲状腺结节"
    assert titles(trainee, sort="title") == sorted(titles(trainee, sort="title"))
    newest = titles(trainee)
    assert (
        newest == titles(trainee, sort="newest") == list(reversed(titles(trainee, sort="oldest")))
    )


def test_bookmarks_and_reviewed_state_per_user(client, trainee, library, hospital):
    other = api_for(InstitutionFactory and trainee)
    client.force_login(trainee)
    hcc = library["hcc"]

    response = client.post(
        reverse("cases:bookmark", kwargs={"pk": hcc.pk}), {"next": reverse("cases:library")}
    )
    assert response.status_code == 302 and response["Location"] == reverse("cases:library")
    CaseWatch.objects.create(user=trainee, case=library["thyroid"], reviewed_at=timezone.now())

    rows = {r["title"]: r for r in other.get("/api/v1/cases/").json()["results"]}
    assert rows[hcc.title]["is_bookmarked"] is True
    assert rows["甲状腺结节"]["is_reviewed"] is True
    assert rows["Incidental liver lesion"]["is_bookmarked"] is False
    assert titles(trainee, bookmarked="1") == [hcc.title]
    assert titles(trainee, reviewed="1") == ["甲状腺结节"]
    assert "甲状腺结节" not in titles(trainee, reviewed="0")
    assert api_for(trainee).post(f"/api/v1/cases/{hcc.pk}/bookmark/").json() == {
        "bookmarked": False
    }
    assert not Bookmark.objects.exists()


def test_the_library_page_lists_filters_and_paginates(client, trainee, hospital, settings):
    settings.CASES_LIBRARY_PAGE_SIZE = 5
    for n in range(12):
        CaseFactory(institution=hospital, title=f"Liver case {n:02d}", tags=["teaching"])
    client.force_login(trainee)

    first = client.get(reverse("cases:library"), {"organ": "liver", "sort": "title"})
    third = client.get(reverse("cases:library"), {"organ": "liver", "sort": "title", "page": 3})

    assert first.status_code == 200
    assert "12 cases" in first.text and "Page 1 of 3" in first.text
    assert "Liver case 00" in first.text and "Liver case 05" not in first.text
    assert "organ=liver&amp;sort=title&amp;page=2" in first.text
    assert "Liver case 10" in third.text and "Liver case 11" in third.text
    assert 'href="?tag=teaching"' in first.text


def test_the_library_posters_load_lazily_with_their_size(client, trainee, hospital):
    """Posters below the fold cost nothing on a slow link until scrolled to, decode off the
    main thread, and keep their place (no layout shift) while they load."""
    _cases(hospital, 6)
    client.force_login(trainee)

    html = client.get(reverse("cases:library")).text
    posters = re.findall(r'<a [^>]*class="case-poster"[^>]*>(<img [^>]*>)', html)

    assert len(posters) == 6
    for img in posters:
        assert 'loading="lazy"' in img and 'decoding="async"' in img, img
        assert re.search(r'width="\d+" height="\d+"', img), img


def _cases(institution, count: int) -> None:
    loops = [ReadyLoopFactory(institution=institution) for _ in range(3)]
    tags = [Tag.objects.get_or_create(name=f"tag {n}")[0] for n in range(4)]
    made = Case.objects.bulk_create(
        [
            Case(
                institution=institution,
                title=f"Bulk {n}",
                organ="liver",
                status="published",
                search_text=f"bulk {n}",
            )
            for n in range(count)
        ]
    )
    Case.tags.through.objects.bulk_create(
        [Case.tags.through(case=case, tag=tags[n % 4]) for n, case in enumerate(made)]
    )
    from cases.models import CaseLoop

    CaseLoop.objects.bulk_create(
        [CaseLoop(case=case, loop=loops[n % 3], order=0) for n, case in enumerate(made)]
    )


@pytest.mark.parametrize("path", ["page", "api"])
def test_the_list_costs_the_same_queries_for_5_or_200_cases(
    client, trainee, hospital, django_assert_max_num_queries, settings, path
):
    settings.CASES_LIBRARY_PAGE_SIZE = 500  # every case on one page: the worst case
    client.force_login(trainee)
    url = reverse("cases:library") if path == "page" else "/api/v1/cases/?page_size=500"

    def fetch():
        response = client.get(url, {"q": "bulk"} if path == "page" else None)
        assert response.status_code == 200
        return response

    _cases(hospital, 5)
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        fetch()
    _cases(hospital, 200)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = fetch()
    assert (response.text.count("Bulk ") if path == "page" else response.json()["count"]) >= 205


def test_editors_filter_their_library_by_status(client, instructor, trainee, hospital):
    CaseFactory(institution=hospital, title="Still a draft", status="draft")
    CaseFactory(institution=hospital, title="Waiting", status="in_review")
    client.force_login(instructor)

    page = client.get(reverse("cases:library"), {"status": "draft"})

    assert "Still a draft" in page.text and "Waiting" not in page.text
    assert 'name="status"' in page.text
    client.force_login(trainee)
    assert 'name="status"' not in client.get(reverse("cases:library")).text
    assert titles(trainee, status="draft") == []

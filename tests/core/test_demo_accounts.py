"""One list of demo accounts (demo.accounts): the start banner prints it, the README's
table shows the same rows, and the demo data creates every account it names
(tests/certification/test_demo.py)."""

import re
from pathlib import Path

import pytest

from demo.accounts import DEMO_ACCOUNTS, banner_lines

REPO = Path(__file__).resolve().parents[2]


def readme_rows() -> list[tuple[str, ...]]:
    readme = (REPO / "README.md").read_text()
    section = readme.split("### Demo accounts", 1)[1].split("\n#", 1)[0]
    rows = [line for line in section.splitlines() if re.match(r"\| `", line)]
    return [tuple(cell.strip().strip("`") for cell in row.strip("|").split("|")) for row in rows]


def test_the_readme_table_is_the_list_in_code():
    expected = [(a.username, a.role, a.institution, a.try_this) for a in DEMO_ACCOUNTS]
    assert readme_rows() == expected


def test_the_banner_prints_every_demo_account_present_with_role_institution_and_what_to_try():
    everyone = {a.username for a in DEMO_ACCOUNTS}
    text = "\n".join(banner_lines(everyone))

    for account in DEMO_ACCOUNTS:
        line = next(ln for ln in text.splitlines() if ln.split()[:1] == [account.username])
        assert account.role in line and account.institution in line and account.try_this in line
    assert "supervisor" in text  # sign-off needs it (issue 10 §6)


def test_the_banner_leaves_out_accounts_the_database_lacks():
    text = "\n".join(banner_lines({"trainee"}))
    assert "trainee" in text and "supervisor" not in text
    assert banner_lines(set()) == []


@pytest.mark.django_db
def test_the_start_banner_lists_the_demo_accounts_present_through_the_demo_app(capsys):
    """``serve`` (core) gets the accounts from the demo app's ``demo_accounts`` command: the
    product apps never import the demo app."""
    from core.management.commands import serve
    from tests.factories import InstructorFactory, TraineeFactory

    TraineeFactory(username="trainee")
    InstructorFactory(username="supervisor")
    TraineeFactory(username="someone-else")

    serve.Command()._print_banner("127.0.0.1", 8000)

    out = capsys.readouterr().out
    assert "Demo accounts (password 'demo')" in out
    listed = [line.split()[0] for line in out.splitlines() if line.startswith("    ")]
    assert listed == ["trainee", "supervisor"]  # in the list's order, only those present
    assert "Press Ctrl-C" in out


@pytest.mark.django_db
def test_the_start_banner_has_no_account_table_without_demo_accounts(capsys):
    from core.management.commands import serve

    serve.Command()._print_banner("127.0.0.1", 8000)

    out = capsys.readouterr().out
    assert "http://127.0.0.1:8000/" in out and "Demo accounts" not in out

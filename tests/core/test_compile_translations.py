"""scripts/compile_translations.py: .po → .mo without GNU gettext."""

import gettext
from pathlib import Path

import polib

from scripts.compile_translations import compile_all, find_catalogues, main

REPO = Path(__file__).resolve().parents[2]


def write_po(root: Path, lang: str = "zh_Hans") -> Path:
    po_path = root / "locale" / lang / "LC_MESSAGES" / "django.po"
    po_path.parent.mkdir(parents=True)
    catalogue = polib.POFile()
    catalogue.metadata = {
        "Content-Type": "text/plain; charset=UTF-8",
        "Plural-Forms": "nplurals=1; plural=0;",
    }
    catalogue.append(polib.POEntry(msgid="Log in", msgstr="登录"))
    catalogue.append(polib.POEntry(msgid="Draft", msgstr="草稿", flags=["fuzzy"]))
    catalogue.append(
        polib.POEntry(
            msgid="%(n)s case", msgid_plural="%(n)s cases", msgstr_plural={0: "%(n)s 个病例"}
        )
    )
    catalogue.save(str(po_path))
    return po_path


def test_compiles_a_catalogue_that_gettext_reads(tmp_path):
    po_path = write_po(tmp_path)

    assert compile_all(tmp_path) == [po_path]

    with po_path.with_suffix(".mo").open("rb") as mo:
        translations = gettext.GNUTranslations(mo)
    assert translations.gettext("Log in") == "登录"
    assert translations.gettext("Draft") == "Draft"  # fuzzy entries are left out, as msgfmt does
    assert translations.ngettext("%(n)s case", "%(n)s cases", 3) == "%(n)s 个病例"


def test_skips_up_to_date_files_and_the_virtualenv(tmp_path):
    write_po(tmp_path)
    write_po(tmp_path / ".venv" / "lib")
    compile_all(tmp_path)

    assert compile_all(tmp_path) == []
    assert len(compile_all(tmp_path, force=True)) == 1


def test_main_reports_a_broken_catalogue(tmp_path, capsys):
    po_path = tmp_path / "locale" / "xx" / "LC_MESSAGES" / "django.po"
    po_path.parent.mkdir(parents=True)
    po_path.write_text('msgid "a"\nmsgstr "b"\nthis is not gettext\n')

    assert main([str(tmp_path)]) == 1
    assert "compile_translations" in capsys.readouterr().err


def test_the_project_catalogues_are_complete():
    catalogues = list(find_catalogues(REPO))
    assert any(p.parts[-3] == "zh_Hans" for p in catalogues)
    for po_path in catalogues:
        catalogue = polib.pofile(str(po_path))
        assert catalogue.untranslated_entries() == [], po_path

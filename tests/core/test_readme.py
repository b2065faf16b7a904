"""The README documents every environment variable the settings read."""

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_every_setting_variable_is_in_the_readme():
    settings_source = (REPO / "training" / "settings.py").read_text()
    variables = set(re.findall(r"""env_\w+\(\s*["']([A-Z0-9_]+)["']""", settings_source))
    readme = (REPO / "README.md").read_text()

    assert len(variables) > 20
    missing = sorted(v for v in variables if f"`{v}`" not in readme)
    assert missing == [], f"add these to the README's configuration table: {missing}"


def test_readme_starts_with_the_two_commands_and_shows_the_screenshot():
    readme = (REPO / "README.md").read_text()
    # The introduction (title, what it is, the screenshot), then the first section.
    intro, first_section = re.split(r"^## ", readme, maxsplit=2, flags=re.MULTILINE)[:2]
    title, body = first_section.split("\n", 1)

    assert title.strip() == "The two commands"
    # Its first code block is the two commands, in that order, and nothing else.
    block = re.search(r"^```\w*\n(.*?)^```", body, flags=re.MULTILINE | re.DOTALL)
    assert block is not None, "the first section shows no command"
    commands = [line.split("#")[0].strip() for line in block.group(1).splitlines()]
    assert [c for c in commands if c] == ["make run", "make test"]
    assert "](docs/screenshot-dashboard.png)" in intro
    assert (REPO / "docs" / "screenshot-dashboard.png").exists()

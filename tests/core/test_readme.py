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

    assert "make run" in readme and "make test" in readme
    assert "docs/screenshot-dashboard.png" in readme
    assert (REPO / "docs" / "screenshot-dashboard.png").exists()

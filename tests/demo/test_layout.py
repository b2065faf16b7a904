"""The demo data lives in the ``demo`` app alone, and the dependency points one way: the demo
imports the product apps, never the reverse (remove ``demo`` from INSTALLED_APPS and the
platform runs without demo data)."""

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PRODUCT = [
    "accounts", "cases", "certification", "cine", "cineloops", "core", "courses", "quizzes",
    "training",
]  # fmt: skip


def python_files(package: str) -> list[Path]:
    return sorted(p for p in (REPO / package).rglob("*.py") if "migrations" not in p.parts)


def imported_modules(path: Path) -> set[str]:
    modules = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            modules.add(node.module)
    return modules


def test_no_product_app_imports_the_demo_app():
    importers = [
        f"{path.relative_to(REPO)}: {module}"
        for package in PRODUCT
        for path in python_files(package)
        for module in imported_modules(path)
        if module == "demo" or module.startswith("demo.")
    ]
    assert importers == []


def test_no_product_app_holds_a_demo_module():
    scattered = [
        str(path.relative_to(REPO))
        for package in PRODUCT
        for path in python_files(package)
        if path.stem.startswith(("demo", "load_demo"))
    ]
    assert scattered == []
    assert (REPO / "demo" / "loaders.py").is_file()

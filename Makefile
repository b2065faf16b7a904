# The two commands of the README: `make run` and `make test`. Everything else is a helper.
# Needs only Python >= 3.11 (python3 on PATH, or PYTHON=/path/to/python3.11).

PYTHON ?= python3
VENV ?= .venv
PORT ?= 8000
PY := $(VENV)/bin/python
RUN_STAMP := $(VENV)/.installed-run
DEV_STAMP := $(VENV)/.installed-dev
PYTEST_ARGS ?=
# Test processes (pytest-xdist): one per core, at most four; TEST_WORKERS=0 runs in this one.
TEST_WORKERS ?= auto

.DEFAULT_GOAL := help
.PHONY: help run test lint format translations migrations-check clean

help:
	@echo "make run    start the platform (web + a Celery worker per queue) on http://127.0.0.1:$(PORT)/"
	@echo "make test   run the test suite, then ruff (lint and format check) and mypy"
	@echo "make lint | format | translations | migrations-check | clean"

# The virtualenv is (re)built only when it is missing or pyproject.toml changed: the stamp
# files record the last install.
$(PY):
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
		|| { echo "Python >= 3.11 is needed; set PYTHON=/path/to/python3.11" >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(RUN_STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet --disable-pip-version-check -e .
	@touch $@

$(DEV_STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $@ $(RUN_STAMP)

translations: | $(PY)
	$(PY) scripts/compile_translations.py

run: $(RUN_STAMP) translations
	$(PY) manage.py migrate --noinput
	$(PY) manage.py createcachetable
	$(PY) manage.py serve --demo-data --port $(PORT)

# The 25 slowest test phases are listed at the end (--durations). Each test process builds its
# SQLite test database from the models (--no-migrations: 5 s
# less per process); .ci/run's PostgreSQL pass applies the migrations as production does.
# mypy checks what [tool.mypy] in pyproject.toml lists; its cache (.mypy_cache) makes a rerun
# take seconds. Bytecode is written even where PYTHONDONTWRITEBYTECODE is set (CI images set
# it): pytest keeps its rewritten test modules there, which each test process otherwise
# rewrites again at start (10 s each on 2 cores).
test: $(DEV_STAMP) translations
	PYTHONDONTWRITEBYTECODE= $(PY) -m pytest -n $(TEST_WORKERS) --maxprocesses 4 --dist loadgroup --no-migrations --durations=25 $(PYTEST_ARGS)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

lint: $(DEV_STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

format: $(DEV_STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

migrations-check: $(RUN_STAMP)
	$(PY) manage.py makemigrations --check --dry-run

# Removes build output and the virtualenv; keeps var/ (your database and uploads).
clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache .mypy_cache
	find . -name '*.mo' -path '*/locale/*' -not -path './$(VENV)/*' -delete

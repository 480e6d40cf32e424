# Two commands do all the set-up on a fresh machine:
#   make run    the system with the demo competition, on embedded SQLite + Redis
#   make test   the test suite (real database, real Redis, headless Chromium)
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: install run test bench messages check clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)
	@$(BIN)/pybabel compile -d compete/translations 2>&1 | grep -v "^compiling" || true

run: install
	$(BIN)/compete run --demo --simulate

test: install
	$(BIN)/pytest

bench: install
	$(BIN)/python -m bench

# Re-extract user-visible strings and merge them into both catalogues (then translate zh).
messages: install
	$(BIN)/pybabel extract -F compete/translations/babel.cfg -k _l -k lazy_gettext --no-location \
		--sort-output -o compete/translations/messages.pot .
	$(BIN)/pybabel update -i compete/translations/messages.pot -d compete/translations --ignore-obsolete

check: install
	$(BIN)/mypy --strict scoring/domain

clean:
	rm -rf $(VENV) instance test-artifacts .pytest_cache .mypy_cache

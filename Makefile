# poles — two commands on a fresh machine: `make run` and `make test`.
# Everything installs into .venv; nothing is needed beyond Python 3.11 and the package registries.

PYTHON ?= python3.11
VENV   ?= .venv
BIN    := $(VENV)/bin
PORT   ?= 8000
STAMP  := $(VENV)/.installed

.PHONY: install run test test-unit test-postgres test-e2e bench lint format messages clean

install: $(STAMP)

$(STAMP): pyproject.toml requirements/constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip==25.3
	$(BIN)/python -m pip install --quiet -c requirements/constraints.txt -e ".[dev]"
	DEBUG=1 $(BIN)/poles compiletranslations
	DEBUG=1 $(BIN)/poles collectstatic --noinput --verbosity 0
	@touch $@

run: install
	bash scripts/run.sh

test: install
	bash scripts/test.sh

bench: install
	$(BIN)/python -m bench.run

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Developers refreshing the French catalogues need GNU gettext (makemessages); compiling does not.
messages: install
	bash scripts/messages.sh

clean:
	rm -rf $(VENV) var/static test-artifacts .pytest_cache

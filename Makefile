# The two commands of the README: `make run` and `make test`. Everything else supports them.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements/*.txt | sha256sum | cut -c1-16)

.PHONY: run test install lint contracts pytest bench nginx-check clean-var

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(BIN)/python requirements/base.txt requirements/dev.txt requirements/prod.txt
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements/dev.txt
	rm -f $(VENV)/.installed-* && touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/python manage.py run_platform

lint: install
	$(BIN)/ruff check .

contracts: install
	$(BIN)/lint-imports

pytest: install
	$(BIN)/pytest $(PYTEST_ARGS)

test: install
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/pytest $(PYTEST_ARGS)

bench: install
	for script in $$(grep -l '__main__' bench/*.py); do $(BIN)/python $$script || exit 1; done

nginx-check:
	$(BIN)/python -m pytest tests/deploy -q

clean-var:
	rm -rf var

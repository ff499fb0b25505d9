# The two commands of the README: `make run` and `make test`. Everything else supports them.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements/*.txt | sha256sum | cut -c1-16)

.PHONY: run test test-embedded install lint contracts typecheck pytest bench nginx-check clean-var

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

# mypy's Django plugin reads the settings, but its incremental cache does not notice when they change:
# one cache per version of config/settings*.py (older ones are dropped)
MYPY_CACHE := .mypy_cache/settings-$(shell cat config/settings*.py | sha256sum | cut -c1-12)
define mypy
	find .mypy_cache -mindepth 1 -maxdepth 1 -name 'settings-*' ! -path '$(MYPY_CACHE)' -exec rm -rf {} + 2>/dev/null || true
	$(BIN)/mypy --cache-dir $(MYPY_CACHE)
endef

typecheck: install
	$(mypy)

pytest: install
	$(BIN)/pytest $(PYTEST_ARGS)

test: install
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(mypy)
	$(BIN)/pytest $(PYTEST_ARGS)

# A newcomer's path, whatever the calling shell sets: the tests whose behaviour depends on where the
# services come from (the launcher, embedded mode, the Redis broker, health), on the embedded
# PostgreSQL and Redis. CI runs it after `make test`, which uses the machine's servers.
EMBEDDED_TESTS ?= tests/runtime transport/events transport/tests/test_health.py
test-embedded: install
	env -u DATABASE_URL -u REDIS_URL -u CELERY_BROKER_URL $(BIN)/pytest $(EMBEDDED_TESTS) $(PYTEST_ARGS)

bench: install
	for script in $$(grep -l '__main__' bench/*.py); do $(BIN)/python $$script || exit 1; done

nginx-check:
	$(BIN)/python -m pytest tests/deploy -q

clean-var:
	rm -rf var

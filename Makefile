# consult — the two commands a newcomer needs are `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export FLASK_APP := consult
export CONSULT_DATABASE_URL ?= sqlite:///$(CURDIR)/instance/consult.sqlite3

.PHONY: run test lint bench install translations db demo clean chromium

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

translations: $(STAMP)
	$(BIN)/pybabel compile -d translations --statistics

db: translations
	mkdir -p instance
	$(BIN)/flask db upgrade

demo: db
	$(BIN)/flask consult demo

# The delivery worker runs beside the server: without CONSULT_MAIL_URL and CONSULT_SMS_URL
# it prints each message to this terminal, and the staff page "Messages" lists them.
run: demo
	$(BIN)/flask consult demo-logins
	$(BIN)/flask consult deliver --loop & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/flask run --host 127.0.0.1 --port 5000

lint: $(STAMP)
	$(BIN)/ruff check consult tests bench migrations
	$(BIN)/ruff format --check consult tests bench

# Browser tests drive Debian's chromium; install it when we may (root), else they skip
# outside CI and fail inside it.
chromium:
	@command -v chromium >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null \
	  && (apt-get update -qq && apt-get install -y -qq chromium >/dev/null); } \
	  || echo "chromium is not installed: browser tests cannot run"

# One pytest worker per core (each with its own databases and browser); TEST_WORKERS=0
# runs everything in this process.
TEST_WORKERS ?= auto

test: translations lint chromium
	$(BIN)/pytest -n $(TEST_WORKERS)

bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) instance .pytest_cache

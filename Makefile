# Developer shortcuts; CI runs .ci/run, which needs none of these.
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: install run test lint format messages bench

install:
	python3 -m venv $(VENV)
	$(BIN)/pip install -c constraints.txt -e ".[dev]"

run:
	$(BIN)/python -m bot

test:
	$(BIN)/pytest

lint:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy --strict bot tests bench

format:
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Refresh the catalogs after changing texts; then translate the new empty msgstr lines.
messages:
	$(BIN)/pybabel extract -k _n:1,2 -k N_ --no-location --sort-output -o messages.pot bot
	$(BIN)/pybabel update -i messages.pot -d bot/chat/locales --width 100 --ignore-obsolete --no-fuzzy-matching
	rm messages.pot

bench:
	$(BIN)/python -m bench

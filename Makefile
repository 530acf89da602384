# Two entry points for a fresh machine: `make demo` and `make test` (see README).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: install demo test lint bench clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(BIN)/.installed

demo: install
	$(BIN)/feecollect demo

test: install
	$(BIN)/ruff check src tests bench
	$(BIN)/pytest

bench: install
	$(BIN)/python bench/quotes.py

clean:
	rm -rf $(VENV) feecollect.db .pytest_cache .hypothesis

# Two entry points for a fresh machine: `make demo` and `make test` (see README).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: install demo test browser fonts lint bench bench-tools clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(BIN)/.installed

demo: install fonts
	$(BIN)/feecollect demo

test: install fonts browser
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy
	$(BIN)/pytest

# PDFs embed a Chinese TrueType font (WenQuanYi Micro Hei, Apache 2.0 / GPL 3 with the font exception).
fonts:
	@test -f /usr/share/fonts/truetype/wqy/wqy-microhei.ttc \
	  || (apt-get update -qq && apt-get install -y -qq fonts-wqy-microhei >/dev/null) \
	  || echo "warning: could not install fonts-wqy-microhei; PDFs will not embed their Chinese font"

# The browser tests drive Debian's Chromium (never a downloaded one), with a font for Chinese text;
# the PDF tests read the text back with poppler's pdftotext.
browser:
	@command -v chromium >/dev/null 2>&1 && command -v pdftotext >/dev/null 2>&1 && fc-list :lang=zh | grep -q . \
	  || (apt-get update -qq && apt-get install -y -qq chromium fonts-wqy-microhei poppler-utils >/dev/null) \
	  || echo "warning: could not install chromium or poppler; the browser and PDF text tests will be skipped"

bench: install
	$(BIN)/python bench/quotes.py

# bench/callbacks.py loads the API with wrk and replays a callback's SQL with pgbench.
bench-tools:
	@command -v wrk >/dev/null 2>&1 && command -v pgbench >/dev/null 2>&1 \
	  || (apt-get update -qq && apt-get install -y -qq wrk postgresql-client >/dev/null) \
	  || echo "warning: could not install wrk or pgbench; bench/callbacks.py will say what is missing"

clean:
	rm -rf $(VENV) feecollect.db .pytest_cache .hypothesis test-output

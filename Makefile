# Two commands do all set-up on a fresh machine:
#   make demo   — create .venv, install, and run the main job on corpora/seeds
#   make test   — create .venv, install, and run the whole test suite
PYTHON ?= python3
VENV   ?= .venv
STAMP  := $(VENV)/.installed-stamp

.PHONY: demo test bench bench-smoke screenshot clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -e '.[test,spark]'
	touch $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/simtool report corpora/seeds -o report.html

test: $(STAMP)
	$(VENV)/bin/ruff check simtool
	$(VENV)/bin/ruff format --check simtool
	$(VENV)/bin/mypy
	$(VENV)/bin/python -m pytest

bench: $(STAMP)
	$(VENV)/bin/python benchmarks/run.py --notices 1000 10000

bench-smoke: $(STAMP)
	$(VENV)/bin/python benchmarks/run.py --smoke

screenshot: $(STAMP)
	$(VENV)/bin/python scripts/screenshot.py
	$(VENV)/bin/python scripts/screenshot.py --sheet

clean:
	rm -rf $(VENV) simtool.db* report.html

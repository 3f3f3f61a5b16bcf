# Everything a fresh machine needs: `make demo` and `make test`.
# Before anything is installed, crawler/db/binaries.py checks that a PostgreSQL server can
# be had (the machine's own, else the pip-packaged one, else apt-get as root) and says
# in one line what to install when none can.
PYTHON ?= python3
# test processes: each starts its own PostgreSQL and replica; a module stays on one
TEST_WORKERS ?= 2
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: install demo test bench clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "make: Python 3.11 or newer is needed, $(PYTHON) is " + sys.version.split()[0] + ": install python3.11 and run make PYTHON=python3.11")'
	@$(PYTHON) -c 'import ensurepip, venv' 2>/dev/null || { echo "make: $(PYTHON) cannot create virtual environments: install python3-venv (Debian/Ubuntu: sudo apt-get install python3-venv)" >&2; exit 1; }
	@extras=$$($(PYTHON) crawler/db/binaries.py --install) || exit 1; \
	set -e; \
	test -x $(PY) || $(PYTHON) -m venv $(VENV); \
	$(PY) -m pip install -q --upgrade pip; \
	echo "installing into $(VENV) (extras: test,bench$${extras:+,$$extras})"; \
	$(PY) -m pip install -q -e ".[test,bench$${extras:+,$$extras}]"
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(PY) -m crawler.demo

test: $(STAMP)
	$(PY) -m pytest -q -n $(TEST_WORKERS) --dist loadfile --durations=25

bench: $(STAMP)
	$(PY) -m bench

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis *.egg-info

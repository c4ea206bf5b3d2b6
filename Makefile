# Two commands: `make demo` and `make test`. Each builds .venv and installs what it needs,
# system packages included (Debian's chromium for browser tests, postgresql for team tests).

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test system-deps lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --upgrade --quiet pip
	$(BIN)/python -m pip install --quiet -e '.[all,dev]'
	# label-studio-sdk (the test oracle for our Label Studio exports) pins opencv-python-headless 4.12 and
	# numpy < 2.3, which would sit beside ultralytics' opencv-python and downgrade numpy; its converter
	# needs neither, so it comes without its pins (the converter's own imports are in the dev extra)
	$(BIN)/python -m pip install --quiet --no-deps 'label-studio-sdk==2.1.2'
	# Datumaro (the test oracle for our CVAT video exports) pins pandas 2.3, pillow 12 and pyarrow 25, older than
	# this environment's; its CVAT reader runs on the newer ones, so it comes without its pins too
	$(BIN)/python -m pip install --quiet --no-deps 'datumaro==1.13.12'
	touch $(STAMP)

system-deps:
	bash scripts/install-system-deps.sh

# DEMO_ARGS: extra options of `activelabel demo` (tests pass --root, --port, --task, -n; users need none)
demo: $(STAMP)
	$(BIN)/activelabel demo $(DEMO_ARGS)

test: $(STAMP) system-deps
	bash scripts/run-tests.sh

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache

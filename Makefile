# Two commands matter: `make demo` and `make test`. Both set up what is missing first
# (Debian packages through apt-get, a virtualenv at .venv/ with the project editable),
# and set-up is quick when nothing is missing.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
PACKAGES_DIRS := kiosk i18n screens devices session provisioning cityapi cityserver

# Debian packages: PC/SC with the virtual reader, CUPS with a PDF queue, a virtual X server
# with software OpenGL for Kivy, build headers for pyscard and pycups, fonts, speech, PDF tools.
APT_PACKAGES := pcscd libpcsclite-dev swig vsmartcard-vpcd \
	cups cups-bsd cups-client printer-driver-cups-pdf libcups2-dev \
	xvfb libgl1-mesa-dri libgl1 libegl1 libmtdev1 xauth \
	libusb-1.0-0 fonts-dejavu-core espeak-ng alsa-utils poppler-utils \
	iproute2 util-linux procps systemd gcc make

.PHONY: all setup system-packages venv catalogues demo test lint typecheck pytest bench docs clean

all: test

setup: system-packages venv catalogues

system-packages:
	@missing=$$(for p in $(APT_PACKAGES); do \
		dpkg-query -W -f='$${db:Status-Status}\n' $$p 2>/dev/null | grep -qx installed || echo $$p; done); \
	if ! $(PYTHON) -c 'import ensurepip, venv' 2>/dev/null; then missing="$$missing python3-venv python3-dev"; fi; \
	if [ -n "$$missing" ]; then \
		echo "Installing Debian packages:" $$missing; \
		$(SUDO) apt-get update -qq; \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi

venv: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	@[ -x $(BIN)/python ] || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install -q --disable-pip-version-check -e '.[dev]'
	@touch $@

# The gettext catalogues compiled to .mo (idempotent: only changed ones are rewritten).
catalogues: venv
	$(BIN)/python -m i18n.compile

demo: setup
	$(BIN)/kiosk demo

lint: venv
	$(BIN)/ruff check $(PACKAGES_DIRS) tests bench
	$(BIN)/ruff format --check $(PACKAGES_DIRS) tests bench

typecheck: venv
	$(BIN)/mypy

# Two pytest processes side by side as root (tests/run-suites says why and how).
pytest: setup
	tests/run-suites $(BIN)/python

test: setup lint typecheck pytest

bench: setup
	$(BIN)/python -m bench

# Each file is written beside and moved in place only when its generator succeeded: a failing
# generator leaves the old file, never an empty one.
docs: venv
	$(BIN)/python -m kiosk.config_doc > docs/configuration.md.new && mv docs/configuration.md.new docs/configuration.md
	$(BIN)/python -m cityserver.contract > docs/openapi.json.new && mv docs/openapi.json.new docs/openapi.json
	$(BIN)/python -m session.doc > docs/session-states.md.new && mv docs/session-states.md.new docs/session-states.md

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .hypothesis out

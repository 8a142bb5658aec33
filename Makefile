# Cramp Coach: every command a developer or CI needs. Each target sets up what it needs itself.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
export PYTHONPATH := $(CURDIR)/lambda
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: venv test lint demo chat

$(VENV)/.installed: requirements-dev.txt requirements-web.txt lambda/requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

venv: $(VENV)/.installed

test: venv
	$(PY) -m pytest -q

lint: venv
	$(VENV)/bin/ruff check lambda tests scripts
	$(VENV)/bin/ruff format --check lambda tests scripts

demo: venv
	$(PY) scripts/demo.py

chat: venv
	$(PY) scripts/chat.py

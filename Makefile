# Cramp Coach: every command a developer or CI needs. Each target sets up what it needs itself.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
export PYTHONPATH := $(CURDIR)/lambda
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: venv test lint demo chat models serve dynamo-calls red-flags-table package deploy

$(VENV)/.installed: tests/requirements.txt lambda/requirements-web.txt lambda/requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r tests/requirements.txt
	touch $@

venv: $(VENV)/.installed

test: venv
	$(PY) interaction_model/build.py --check
	$(PY) -m pytest -q

lint: venv
	$(VENV)/bin/ruff check lambda tests infra interaction_model
	$(VENV)/bin/ruff format --check lambda tests infra interaction_model

demo: venv
	$(PY) tests/tools/demo.py

chat: venv
	$(PY) tests/tools/chat.py

# The skill over HTTP on 127.0.0.1, port $PORT (default 5000); see README "Self-hosting".
serve: venv
	$(PY) -m cramp_coach.webservice.serve

models:
	$(PYTHON) interaction_model/build.py

# The speed report (issue 8): build/bench/report.txt and latency.png; a few minutes on 2 cores.
$(VENV)/.bench-installed: tests/requirements-bench.txt $(VENV)/.installed
	$(PY) -m pip install --quiet --disable-pip-version-check -r tests/requirements-bench.txt
	touch $@

.PHONY: bench
bench: venv $(VENV)/.bench-installed
	$(PY) tests/tools/bench.py

# DynamoDB calls per request type, counted through botocore hooks against moto.
dynamo-calls: venv
	$(PY) tests/tools/dynamo_calls.py

red-flags-table: venv
	$(PY) tests/tools/red_flag_table.py --write

# The Lambda zip (build/cramp-coach.zip): reproducible, Linux arm64 wheels, no boto3. See README "Deploying".
package: venv
	$(PY) infra/package.py

# SAM deploy + skill manifest/model; needs SKILL_ID, STAGE, PRIVACY_URL (and sam, aws; ask optional).
deploy: venv
	PYTHON=$(abspath $(PY)) infra/deploy.sh

# Cramp Coach: every command a developer or CI needs. Each target sets up what it needs itself.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
export PYTHONPATH := $(CURDIR)/lambda:$(CURDIR)/tests:$(CURDIR)
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: venv test lint typecheck demo chat models serve dynamo-calls red-flags-table clinical-review \
	triage-probes package deploy fuzz load soak icons preflight understanding

$(VENV)/.installed: tests/requirements.txt lambda/requirements-web.txt lambda/requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r tests/requirements.txt
	touch $@

venv: $(VENV)/.installed

.PHONY: test-slow test-all

# The fast suite: every test not marked slow (soak, load, bench, fuzz, hang, packaging; see
# pyproject.toml), on every core (pytest-xdist). Under 90 s on 2 cores; the slow ones take
# several minutes more. docs/testing.md has the numbers.
test: venv apl-tools
	$(PY) interaction_model/build.py --check
	$(PY) -m pytest -q -n auto -m "not slow"

# Only the slow suites (what `make test` leaves out); CI runs them after `make test`.
test-slow: venv
	$(PY) -m pytest -q -m slow

# Everything, in one run.
test-all: venv apl-tools
	$(PY) interaction_model/build.py --check
	$(PY) -m pytest -q

lint: venv
	$(VENV)/bin/ruff check lambda tests tools infra interaction_model
	$(VENV)/bin/ruff format --check lambda tests tools infra interaction_model

# Static types on the product code (mypy, settings in pyproject.toml).
typecheck: venv
	$(VENV)/bin/mypy

demo: venv
	$(PY) tools/demo.py

chat: venv
	$(PY) tools/chat.py

# The skill over HTTP on 127.0.0.1, port $PORT (default 5000); see docs/self-hosting.md.
serve: venv
	$(PY) -m cramp_coach.webservice.serve

models:
	$(PYTHON) interaction_model/build.py

# The held-out phrase set (interaction_model/eval/) through virtual-alexa against the local
# web service: coverage per locale and intent, and every miss. Needs node (npm ci on first run).
understanding: venv
	$(PY) tools/understanding.py

# Property-based fuzzing, long profile (2,500 examples for each of 10 properties, random seed);
# any handler crash the skill spoke over counts as a failure.
fuzz: venv
	HYPOTHESIS_PROFILE=long $(PY) -m pytest -q -p no:cacheprovider --hypothesis-show-statistics \
		tests/test_fuzz_lambda.py tests/test_fuzz_web.py tests/test_repeat.py

# The speed report: build/bench/report.txt and latency.png; a few minutes on 2 cores.
$(VENV)/.bench-installed: tests/requirements-bench.txt $(VENV)/.installed
	$(PY) -m pip install --quiet --disable-pip-version-check -r tests/requirements-bench.txt
	touch $@

.PHONY: bench
bench: venv $(VENV)/.bench-installed
	$(PY) tools/bench.py

# DynamoDB calls per request type, counted through botocore hooks against moto.
dynamo-calls: venv
	$(PY) tools/dynamo_calls.py

# apl-suggester (Amazon's APL validator) for the screens tests, from tools/apl/package-lock.json.
.PHONY: apl-tools screens
apl-tools: tools/apl/node_modules/.installed
tools/apl/node_modules/.installed: tools/apl/package.json tools/apl/package-lock.json
	@if command -v npm >/dev/null; then npm ci --prefix tools/apl --no-audit --no-fund && touch $@; \
	else echo "npm not found: the APL documents will not be validated"; fi

# Every figure and the history chart as PNG in build/screens/ (headless Chromium), to look at.
screens: venv
	$(PY) tools/render_screens.py

red-flags-table: venv
	$(PY) tools/red_flag_table.py --write

# Every spoken sentence and card in every locale, with sources and evidence grade, for a
# clinician to sign off (docs/clinical-safety.md): build/clinical-review.md.
clinical-review: venv
	$(PY) tools/clinical_review.py

# The held-out triage probes through the real handler, per locale (docs/clinical-safety.md).
triage-probes: venv
	$(PY) tools/triage_probes.py

# The Lambda zip (build/cramp-coach.zip): reproducible, Linux arm64 wheels, no boto3, byte code compiled
# by the runtime's Python (3.12: PATH, pyenv, uv or LAMBDA_PYTHON; NO_BYTECODE=1 to skip). docs/cold-start.md
package: venv
	$(PY) infra/package.py

# The store icons (infra/assets/images) from their drawing, infra/icons.py; committed.
icons:
	$(PYTHON) infra/icons.py

# What the Alexa console would reject or a reviewer flag, checked offline (docs/store-submission.md).
# PRIVACY_URL=... to check your own policy URL too; EDITION=store-safe for that edition's package.
EDITION ?= full
preflight: package
	$(PY) infra/preflight.py --edition $(EDITION)

# Zip, preflight, SAM deploy, privacy page, skill manifest/icons/model via the pinned ASK CLI;
# needs SKILL_ID, STAGE, PRIVACY_CONTACT or PRIVACY_URL (and sam, aws, npm); EDITION=store-safe for
# the edition that keeps nothing (a public store listing). See docs/deploying.md.
deploy: venv
	PYTHON=$(abspath $(PY)) EDITION=$(EDITION) infra/deploy.sh

# 50 simulated users for 3 minutes against the signed web service + moto on loopback;
# then every user's stored count must be exact. USERS= SECONDS= THINK="MIN MAX" to change.
load: venv
	$(PY) tools/load.py --users $${USERS:-50} --seconds $${SECONDS:-180} --think $${THINK:-3 9}

# One user with 10,000 cramps (batch-written), every history question asked: calls and items
# read per answer are bounded (no Scan) and the spoken counts are right.
soak: venv
	$(PY) tools/soak.py --cramps $${CRAMPS:-10000}

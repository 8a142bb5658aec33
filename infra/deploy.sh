#!/usr/bin/env bash
# Deploy Cramp Coach: the reproducible Lambda zip, the SAM stack, then the skill manifest and model.
#
# Required:  SKILL_ID     amzn1.ask.skill.<uuid> (create the skill first; README "Deploying")
#            STAGE        e.g. dev or prod; names the stack (cramp-coach-$STAGE) and its resources
#            PRIVACY_URL  https URL of your published privacy policy (the placeholder is refused)
# First deploy of a stage also: USER_HASH_SALT (openssl rand -hex 32; keep it, never change it).
# Optional:  AWS_REGION / AWS_PROFILE (us-east-1 serves North America skills), ALARM_TOPIC_ARN,
#            RETENTION_DAYS, LOG_RETENTION_DAYS, ASK_PROFILE (default "default"),
#            SKIP_SKILL_UPDATE=1 to stop after the AWS part.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3}"

fail() { echo "deploy: $*" >&2; exit 2; }
need() { command -v "$1" >/dev/null 2>&1 || fail "$1 is not installed ($2)"; }

[[ "${SKILL_ID:-}" =~ ^amzn1\.ask\.skill\.[0-9a-fA-F-]{36}$ ]] \
  || fail "set SKILL_ID to your skill id (amzn1.ask.skill.<uuid>)"
[[ "${STAGE:-}" =~ ^[a-z][a-z0-9-]{1,15}$ ]] \
  || fail "set STAGE (2-16 lower-case letters, digits, hyphens), e.g. STAGE=dev"
[[ -n "${PRIVACY_URL:-}" ]] || fail "set PRIVACY_URL to your published privacy policy (https)"

STACK="cramp-coach-${STAGE}"

# Before touching AWS: a placeholder privacy URL, a locale without a model or an example phrase
# the model does not understand would stop the skill step after the stack had already changed.
"$PYTHON" infra/skill_package.py --check --privacy-url "$PRIVACY_URL" \
  || fail "fix the skill package inputs above, then deploy again"
need sam "https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/install-sam-cli.html"
need aws "https://docs.aws.amazon.com/cli/latest/userguide/getting-started-install.html"

stack_exists() { aws cloudformation describe-stacks --stack-name "$STACK" >/dev/null 2>&1; }

overrides=("SkillId=${SKILL_ID}" "Stage=${STAGE}")
[[ -n "${RETENTION_DAYS:-}" ]] && overrides+=("RetentionDays=${RETENTION_DAYS}")
[[ -n "${LOG_RETENTION_DAYS:-}" ]] && overrides+=("LogRetentionDays=${LOG_RETENTION_DAYS}")
[[ -n "${ALARM_TOPIC_ARN:-}" ]] && overrides+=("AlarmTopicArn=${ALARM_TOPIC_ARN}")
if [[ -n "${USER_HASH_SALT:-}" ]]; then
  overrides+=("UserHashSalt=${USER_HASH_SALT}")
elif ! stack_exists; then
  fail "first deploy of $STACK: set USER_HASH_SALT (e.g. \$(openssl rand -hex 32)) and keep it safe"
fi
# Without USER_HASH_SALT on an existing stack, sam deploy keeps the previous value.

echo "== 1/4 package: build/cramp-coach.zip"
"$PYTHON" infra/package.py

echo "== 2/4 sam deploy: stack $STACK"
sam deploy \
  --template-file infra/template.yaml \
  --stack-name "$STACK" \
  --resolve-s3 \
  --capabilities CAPABILITY_IAM \
  --no-fail-on-empty-changeset \
  --tags app=cramp-coach "stage=${STAGE}" \
  --parameter-overrides "${overrides[@]}"

ENDPOINT_ARN="$(aws cloudformation describe-stacks --stack-name "$STACK" \
  --query "Stacks[0].Outputs[?OutputKey=='SkillEndpointArn'].OutputValue" --output text)"
echo "skill endpoint: $ENDPOINT_ARN"

echo "== 3/4 skill package: build/skill-package"
"$PYTHON" infra/skill_package.py --endpoint-arn "$ENDPOINT_ARN" --privacy-url "$PRIVACY_URL" \
  --skill-id "$SKILL_ID" --profile "${ASK_PROFILE:-default}"

echo "== 4/4 skill manifest and interaction model (development stage)"
if [[ "${SKIP_SKILL_UPDATE:-}" == "1" ]] || ! command -v ask >/dev/null 2>&1; then
  cat <<EOF
The ASK CLI is not installed (or SKIP_SKILL_UPDATE=1). Do this step yourself, either:
  npm install -g ask-cli && ask configure          # once
  (cd build && ask deploy --target skill-metadata --profile ${ASK_PROFILE:-default})
or, in the Alexa developer console: Build > Endpoint > AWS Lambda ARN = $ENDPOINT_ARN,
Build > JSON Editor: paste build/skill-package/interactionModels/custom/en-US.json, Build Model.
EOF
  exit 0
fi
(cd build && ask deploy --target skill-metadata --ignore-hash --profile "${ASK_PROFILE:-default}")
echo "done: say \"Alexa, open cramp coach\" on a device signed in to your developer account."

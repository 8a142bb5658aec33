#!/usr/bin/env bash
# Deploy Cramp Coach: the reproducible Lambda zip, the preflight, the SAM stack (with the public
# privacy policy page), then the skill manifest, icons and model.
#
# Required:  SKILL_ID     amzn1.ask.skill.<uuid> (create the skill first; docs/deploying.md)
#            STAGE        e.g. dev or prod; names the stack (cramp-coach-$STAGE) and its resources
#            PRIVACY_CONTACT  e-mail address or https page for data requests, printed in the
#                         policy page the stack publishes from docs/privacy.md; or instead
#            PRIVACY_URL  the https URL of a privacy policy you publish yourself (placeholders,
#                         example.com/.net/.org included, are refused)
# Optional:  EDITION       full (default: keeps a private cramp history with consent; personal
#                          and beta deployments) or store-safe (keeps nothing; a public store
#                          listing). docs/deploying.md "Which edition".
# First deploy of a full-edition stage also: USER_HASH_SALT (openssl rand -hex 32; keep it,
#            never change it). The store-safe edition takes none.
# STAGE=prod also: ALARM_TOPIC_ARN (an SNS topic with a confirmed subscriber; docs/operations.md).
# Optional:  AWS_REGION / AWS_PROFILE (us-east-1 serves North America skills), PRIVACY_OPERATOR,
#            RETENTION_DAYS, LOG_RETENTION_DAYS, ASK_PROFILE (default "default"),
#            ASK_CLI (an ask binary instead of the pinned one in infra/ask-cli),
#            SKIP_SKILL_UPDATE=1 to stop after the AWS part.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3}"
export PYTHONPATH="$PWD/lambda${PYTHONPATH:+:$PYTHONPATH}"

fail() { echo "deploy: $*" >&2; exit 2; }
need() { command -v "$1" >/dev/null 2>&1 || fail "$1 is not installed ($2)"; }

[[ "${SKILL_ID:-}" =~ ^amzn1\.ask\.skill\.[0-9a-fA-F-]{36}$ ]] \
  || fail "set SKILL_ID to your skill id (amzn1.ask.skill.<uuid>)"
[[ "${STAGE:-}" =~ ^[a-z][a-z0-9-]{1,15}$ ]] \
  || fail "set STAGE (2-16 lower-case letters, digits, hyphens), e.g. STAGE=dev"
[[ -n "${PRIVACY_URL:-}" || -n "${PRIVACY_CONTACT:-}" ]] \
  || fail "set PRIVACY_CONTACT (for the policy page the stack publishes) or PRIVACY_URL (your own)"
[[ "$STAGE" != prod || -n "${ALARM_TOPIC_ARN:-}" ]] \
  || fail "STAGE=prod needs ALARM_TOPIC_ARN: production alarms must reach someone"
EDITION="${EDITION:-full}"
[[ "$EDITION" == full || "$EDITION" == store-safe ]] \
  || fail "EDITION must be full (keeps a private history with consent) or store-safe (keeps nothing)"
export CRAMP_EDITION="$EDITION"  # the privacy page, preflight and skill package follow it

STACK="cramp-coach-${STAGE}"
mkdir -p build

# Before touching AWS: the policy page, the zip and the preflight (icons, URLs, example phrases,
# disclaimer, permissions and events, model rules, the zip's runtime). A problem found after the
# stack had changed would leave the skill half-updated.
preflight_args=()
if [[ -n "${PRIVACY_URL:-}" ]]; then
  preflight_args=(--privacy-url "$PRIVACY_URL")
else
  CRAMP_RETENTION_DAYS="${RETENTION_DAYS:-400}" LOG_RETENTION_DAYS="${LOG_RETENTION_DAYS:-30}" \
    "$PYTHON" -m cramp_coach.webservice.privacy_page --out build/privacy.html \
    || fail "fix PRIVACY_CONTACT (the policy names it), or set PRIVACY_URL to your own policy"
fi

echo "== 1/5 package: build/cramp-coach.zip"
"$PYTHON" infra/package.py

echo "== 2/5 preflight ($EDITION edition)"
"$PYTHON" infra/preflight.py --edition "$EDITION" ${preflight_args[@]+"${preflight_args[@]}"} \
  || fail "fix the problems above, then deploy again"

need sam "https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/install-sam-cli.html"
need aws "https://docs.aws.amazon.com/cli/latest/userguide/getting-started-install.html"

stack_exists() { aws cloudformation describe-stacks --stack-name "$STACK" >/dev/null 2>&1; }
stack_output() {
  aws cloudformation describe-stacks --stack-name "$STACK" \
    --query "Stacks[0].Outputs[?OutputKey=='$1'].OutputValue" --output text
}

overrides=("SkillId=${SKILL_ID}" "Stage=${STAGE}" "Edition=${EDITION}")
[[ -n "${RETENTION_DAYS:-}" ]] && overrides+=("RetentionDays=${RETENTION_DAYS}")
[[ -n "${LOG_RETENTION_DAYS:-}" ]] && overrides+=("LogRetentionDays=${LOG_RETENTION_DAYS}")
[[ -n "${ALARM_TOPIC_ARN:-}" ]] && overrides+=("AlarmTopicArn=${ALARM_TOPIC_ARN}")
if [[ "$EDITION" == store-safe ]]; then
  # No salt: nothing is stored, so no user key is ever made (the template passes none on).
  if stack_exists && [[ -n "$(stack_output TableName)" && "$(stack_output TableName)" != None ]]; then
    echo "note: $STACK was a full-edition stack; its table $(stack_output TableName) is retained" \
      "(DeletionPolicy Retain) with any users' history in it. Delete it by hand when you mean to" \
      "(docs/deploying.md \"Switching editions\")." >&2
  fi
elif [[ -n "${USER_HASH_SALT:-}" ]]; then
  overrides+=("UserHashSalt=${USER_HASH_SALT}")
elif ! stack_exists; then
  fail "first deploy of $STACK: set USER_HASH_SALT (e.g. \$(openssl rand -hex 32)) and keep it safe"
fi
# Without USER_HASH_SALT on an existing stack, sam deploy keeps the previous value.

echo "== 3/5 sam deploy: stack $STACK"
sam deploy \
  --template-file infra/template.yaml \
  --stack-name "$STACK" \
  --resolve-s3 \
  --capabilities CAPABILITY_IAM \
  --no-fail-on-empty-changeset \
  --tags app=cramp-coach "stage=${STAGE}" \
  --parameter-overrides "${overrides[@]}"

ENDPOINT_ARN="$(stack_output SkillEndpointArn)"
echo "skill endpoint: $ENDPOINT_ARN"
if [[ -z "${PRIVACY_URL:-}" ]]; then
  aws s3 cp build/privacy.html "s3://$(stack_output PrivacyPageBucketName)/privacy.html" \
    --content-type "text/html; charset=utf-8" --cache-control "max-age=300"
  PRIVACY_URL="$(stack_output PrivacyPolicyUrl)"
fi
echo "privacy policy: $PRIVACY_URL"

echo "== 4/5 skill package: build/skill-package"
"$PYTHON" infra/skill_package.py --endpoint-arn "$ENDPOINT_ARN" --privacy-url "$PRIVACY_URL" \
  --skill-id "$SKILL_ID" --profile "${ASK_PROFILE:-default}" --edition "$EDITION"

echo "== 5/5 skill manifest, icons and interaction model (development stage)"
# The pinned ASK CLI: infra/ask-cli holds ask-cli 2.30.x with antlr4ts kept at a release that
# starts (the one npm picks by itself crashes the CLI on start).
ASK="${ASK_CLI:-}"
if [[ -z "$ASK" && "${SKIP_SKILL_UPDATE:-}" != "1" ]] && command -v npm >/dev/null 2>&1; then
  (cd infra/ask-cli && npm ci --no-audit --no-fund --loglevel=error) \
    && ASK="$PWD/infra/ask-cli/node_modules/.bin/ask"
fi
if [[ "${SKIP_SKILL_UPDATE:-}" == "1" || -z "$ASK" ]]; then
  cat <<EOF
The ASK CLI is not available (no npm) or SKIP_SKILL_UPDATE=1. Do this step yourself, either:
  (cd infra/ask-cli && npm ci) && infra/ask-cli/node_modules/.bin/ask configure     # once
  (cd build && ../infra/ask-cli/node_modules/.bin/ask deploy --target skill-metadata --profile ${ASK_PROFILE:-default})
or in the Alexa developer console: Build > Endpoint > AWS Lambda ARN = $ENDPOINT_ARN;
Build > JSON Editor: paste build/skill-package/interactionModels/custom/<locale>.json, Build Model;
Distribution: icons from build/skill-package/assets/images, privacy policy URL $PRIVACY_URL.
EOF
  exit 0
fi
(cd build && "$ASK" deploy --target skill-metadata --ignore-hash --profile "${ASK_PROFILE:-default}")
echo "done: say \"Alexa, open cramp coach\" on a device signed in to your developer account."

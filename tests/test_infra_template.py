"""infra/template.yaml: lints clean, is locked down, and its table takes the store's real traffic.

The template is parsed with cfn-lint's own decoder (it understands !Ref, !GetAtt, !Sub ...), so
the assertions read the same structure CloudFormation would.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
import time
from decimal import Decimal
from pathlib import Path

import boto3
import pytest
from botocore.exceptions import ClientError
from cfn_editions import for_edition
from cfnlint.api import lint_file
from cfnlint.decode import decode_str
from moto import mock_aws

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE_PATH = ROOT / "infra" / "template.yaml"
# The IAM actions behind the store's API calls (GetItem, PutItem, UpdateItem, DeleteItem, Query,
# BatchWriteItem, TransactWriteItems, ConditionCheckItem). IAM has no TransactWriteItems action:
# each item of a transaction needs its own PutItem/UpdateItem/DeleteItem/ConditionCheckItem.
STORE_ACTIONS = {
    "dynamodb:GetItem",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
    "dynamodb:Query",
    "dynamodb:BatchWriteItem",
    "dynamodb:ConditionCheckItem",
}
ALEXA_TIMEOUT_SECONDS = 8


def load_template(text: str | None = None) -> dict:
    template, errors = decode_str(text if text is not None else TEMPLATE_PATH.read_text())
    assert not errors, errors
    return template


@pytest.fixture(scope="module")
def template() -> dict:
    """The full edition's stack (the store-safe one: tests/test_edition.py)."""
    return for_edition(load_template(), "full")


def resources_of_type(template: dict, resource_type: str) -> dict:
    return {
        name: resource
        for name, resource in template["Resources"].items()
        if resource["Type"] == resource_type
    }


def only(template: dict, resource_type: str) -> tuple[str, dict]:
    found = resources_of_type(template, resource_type)
    assert len(found) == 1, f"expected one {resource_type}, found {sorted(found)}"
    return next(iter(found.items()))


# --- cfn-lint ---------------------------------------------------------------------------------


@pytest.mark.slow
def test_cfn_lint_reports_nothing_on_the_template():
    matches = lint_file(TEMPLATE_PATH)
    assert [str(match) for match in matches] == []


@pytest.mark.slow
def test_cfn_lint_would_catch_a_broken_template(tmp_path):
    """The lint test can fail: a typo'd property and a dead runtime are reported."""
    broken = TEMPLATE_PATH.read_text().replace("Runtime: python3.12", "Runtime: python2.7")
    broken = broken.replace("BillingMode: PAY_PER_REQUEST", "BillingMode: PAY_AS_YOU_GO")
    path = tmp_path / "broken.yaml"
    path.write_text(broken)
    rules = {match.rule.id for match in lint_file(path)}
    assert {"E2533", "E3030"} <= rules


# --- IAM: only what the code uses, on only our resources ------------------------------------


def policy_statements(template: dict) -> list[tuple[str, dict]]:
    """Every IAM statement the stack grants, as (where, statement)."""
    statements = []
    for name, role in resources_of_type(template, "AWS::IAM::Role").items():
        for policy in role["Properties"].get("Policies", []):
            for statement in policy["PolicyDocument"]["Statement"]:
                statements.append((f"{name}/{policy['PolicyName']}", statement))
    for name, policy in resources_of_type(template, "AWS::IAM::Policy").items():
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            statements.append((name, statement))
    return statements


def as_list(value) -> list:
    return value if isinstance(value, list) else [value]


def wildcard_problems(template: dict) -> list[str]:
    """Wildcard actions or resources anywhere in the stack's IAM.

    The one wildcard allowed is a log stream name inside a log group this stack creates:
    Lambda names its streams at run time, so they cannot be listed.
    """
    problems = []
    own_log_groups = set(resources_of_type(template, "AWS::Logs::LogGroup"))
    for where, statement in policy_statements(template):
        for action in as_list(statement.get("Action", [])):
            if "*" in str(action):
                problems.append(f"{where}: action {action}")
        if "NotAction" in statement or "NotResource" in statement:
            problems.append(f"{where}: NotAction/NotResource")
        for resource in as_list(statement.get("Resource", [])):
            if isinstance(resource, str):
                problems.append(f"{where}: literal resource {resource!r}")
            elif "Fn::Sub" in resource:
                text = resource["Fn::Sub"]
                stream_wildcard = re.fullmatch(
                    r"arn:\$\{AWS::Partition\}:logs:\$\{AWS::Region\}:\$\{AWS::AccountId\}"
                    r":log-group:\$\{(\w+)\}:log-stream:\*",
                    text,
                )
                if "*" in text and not (stream_wildcard and stream_wildcard[1] in own_log_groups):
                    problems.append(f"{where}: wildcard resource {text}")
    for name, role in resources_of_type(template, "AWS::IAM::Role").items():
        if role["Properties"].get("ManagedPolicyArns"):
            problems.append(f"{name}: managed policies (their resources are '*')")
    return problems


def test_no_wildcard_action_or_resource_in_any_iam_policy(template):
    assert policy_statements(template), "the template grants nothing? the role is missing"
    assert wildcard_problems(template) == []


def test_the_wildcard_check_catches_a_lazy_policy(template):
    lazy = copy.deepcopy(template)
    role = lazy["Resources"]["FunctionRole"]["Properties"]
    role["Policies"][0]["PolicyDocument"]["Statement"][0]["Action"] = "dynamodb:*"
    role["Policies"][1]["PolicyDocument"]["Statement"][0]["Resource"] = "*"
    role["ManagedPolicyArns"] = ["arn:aws:iam::aws:policy/AWSLambdaBasicExecutionRole"]
    assert len(wildcard_problems(lazy)) == 3


def test_the_function_may_use_exactly_the_store_actions_on_its_own_table(template):
    table_name, _ = only(template, "AWS::DynamoDB::Table")
    granted = [
        statement
        for _, statement in policy_statements(template)
        if any(str(action).startswith("dynamodb:") for action in as_list(statement["Action"]))
    ]
    assert len(granted) == 1
    statement = granted[0]
    assert statement["Effect"] == "Allow"
    assert set(as_list(statement["Action"])) == STORE_ACTIONS
    # The table ARN only: the table has no indexes, so no index ARN either.
    assert as_list(statement["Resource"]) == [{"Fn::GetAtt": [table_name, "Arn"]}]


def test_logs_go_only_to_the_function_log_group(template):
    log_group_name, _ = only(template, "AWS::Logs::LogGroup")
    logs = [
        statement
        for _, statement in policy_statements(template)
        if any(str(action).startswith("logs:") for action in as_list(statement["Action"]))
    ]
    assert len(logs) == 1
    assert set(logs[0]["Action"]) == {"logs:CreateLogStream", "logs:PutLogEvents"}
    assert f"${{{log_group_name}}}" in logs[0]["Resource"]["Fn::Sub"]
    _, function = only(template, "AWS::Serverless::Function")
    assert function["Properties"]["LoggingConfig"]["LogGroup"] == {"Ref": log_group_name}


def test_the_function_uses_the_locked_down_role_not_sam_generated_policies(template):
    _, function = only(template, "AWS::Serverless::Function")
    role_name, _ = only(template, "AWS::IAM::Role")
    properties = function["Properties"]
    assert properties["Role"] == {"Fn::GetAtt": [role_name, "Arn"]}
    assert "Policies" not in properties


# --- the data: encrypted, recoverable, expiring, kept --------------------------------------


def test_table_is_on_demand_encrypted_recoverable_and_expires_events(template):
    _, table = only(template, "AWS::DynamoDB::Table")
    properties = table["Properties"]
    assert properties["BillingMode"] == "PAY_PER_REQUEST"
    assert properties["SSESpecification"] == {"SSEEnabled": True, "SSEType": "KMS"}
    assert properties["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True
    assert properties["TimeToLiveSpecification"] == {"AttributeName": "expires_at", "Enabled": True}
    keys = {key["AttributeName"]: key["KeyType"] for key in properties["KeySchema"]}
    assert keys == {"pk": "HASH", "sk": "RANGE"}
    assert "GlobalSecondaryIndexes" not in properties and "LocalSecondaryIndexes" not in properties


def test_table_survives_stack_deletion_and_replacement(template):
    _, table = only(template, "AWS::DynamoDB::Table")
    assert table["DeletionPolicy"] == "Retain"
    assert table["UpdateReplacePolicy"] == "Retain"
    assert table["Properties"]["DeletionProtectionEnabled"] is True


def test_logs_are_not_kept_forever(template):
    _, log_group = only(template, "AWS::Logs::LogGroup")
    retention = log_group["Properties"]["RetentionInDays"]
    assert retention == {"Ref": "LogRetentionDays"}
    assert 1 <= template["Parameters"]["LogRetentionDays"]["Default"] <= 365


# --- the function: fast enough for Alexa, on a supported runtime ----------------------------


def test_function_answers_inside_alexas_eight_seconds_on_arm64_python_312_or_later(template):
    _, function = only(template, "AWS::Serverless::Function")
    properties = function["Properties"]
    assert properties["Timeout"] < ALEXA_TIMEOUT_SECONDS
    runtime = re.fullmatch(r"python3\.(\d+)", properties["Runtime"])
    assert runtime and int(runtime[1]) >= 12
    assert properties["Architectures"] == ["arm64"]
    assert properties["Handler"] == "lambda_function.lambda_handler"
    assert properties["CodeUri"] == "../build/cramp-coach.zip"


def test_function_gets_the_configuration_the_code_reads(template):
    table_name, _ = only(template, "AWS::DynamoDB::Table")
    _, function = only(template, "AWS::Serverless::Function")
    variables = function["Properties"]["Environment"]["Variables"]
    assert variables["CRAMP_TABLE_NAME"] == {"Ref": table_name}
    assert variables["SKILL_ID"] == {"Ref": "SkillId"}
    assert variables["CRAMP_RETENTION_DAYS"] == {"Ref": "RetentionDays"}
    assert variables["USER_HASH_SALT"] == {"Ref": "UserHashSalt"}
    assert template["Parameters"]["UserHashSalt"]["NoEcho"] is True


def test_only_the_skill_may_invoke_the_function(template):
    _, permission = only(template, "AWS::Lambda::Permission")
    properties = permission["Properties"]
    assert properties["Principal"] == "alexa-appkit.amazon.com"
    assert properties["Action"] == "lambda:InvokeFunction"
    assert properties["EventSourceToken"] == {"Ref": "SkillId"}
    # The permission is on the alias that the manifest's endpoint names.
    assert properties["FunctionName"] == template["Outputs"]["SkillEndpointArn"]["Value"]


def test_skill_id_parameter_accepts_real_ids_only(template):
    pattern = template["Parameters"]["SkillId"]["AllowedPattern"]
    assert re.fullmatch(pattern, "amzn1.ask.skill.0f4e5d1a-9c2b-4f3e-8a7d-1b2c3d4e5f60")
    assert not re.fullmatch(pattern, "amzn1.ask.skill.REPLACE-ME")
    assert "Default" not in template["Parameters"]["SkillId"]


def test_errors_are_alarmed_with_an_optional_topic(template):
    alarms = resources_of_type(template, "AWS::CloudWatch::Alarm").values()
    function_name, _ = only(template, "AWS::Serverless::Function")
    by_metric = {alarm["Properties"]["MetricName"]: alarm["Properties"] for alarm in alarms}
    errors = by_metric["Errors"]
    assert errors["Namespace"] == "AWS/Lambda"
    assert errors["Dimensions"] == [{"Name": "FunctionName", "Value": {"Ref": function_name}}]
    assert errors["Threshold"] == 1
    assert errors["AlarmActions"]["Fn::If"][0] == "HasAlarmTopic"
    assert "Throttles" in by_metric and "Duration" in by_metric


def test_outputs_give_the_endpoint_for_the_manifest_and_the_table(template):
    assert template["Outputs"]["SkillEndpointArn"]["Value"] == {"Ref": "SkillFunction.Alias"}
    table_name, _ = only(template, "AWS::DynamoDB::Table")
    assert template["Outputs"]["TableName"]["Value"] == {"Ref": table_name}


# --- the template's table in moto takes the store's reads and writes -------------------------


def table_only_template(template: dict) -> str:
    """The table resource (and the parameters it uses) as a stack template for moto."""
    table_name, table = only(template, "AWS::DynamoDB::Table")
    return json.dumps(
        {
            "AWSTemplateFormatVersion": "2010-09-09",
            "Parameters": {"Stage": template["Parameters"]["Stage"]},
            "Resources": {table_name: table},
            "Outputs": {"TableName": {"Value": {"Ref": table_name}}},
        },
        default=str,
    )


@pytest.fixture
def stack_table(template, monkeypatch):
    """The table as CloudFormation creates it from the template, in moto."""
    # conftest points DynamoDB at a dead port so nothing reaches AWS; moto needs the default.
    monkeypatch.delenv("AWS_ENDPOINT_URL_DYNAMODB", raising=False)
    with mock_aws():
        cloudformation = boto3.client("cloudformation", region_name="us-east-1")
        cloudformation.create_stack(
            StackName="cramp-coach-test",
            TemplateBody=table_only_template(template),
            Parameters=[{"ParameterKey": "Stage", "ParameterValue": "test"}],
        )
        outputs = cloudformation.describe_stacks(StackName="cramp-coach-test")["Stacks"][0]
        name = {o["OutputKey"]: o["OutputValue"] for o in outputs["Outputs"]}["TableName"]
        yield boto3.resource("dynamodb", region_name="us-east-1").Table(name)


def user_key(user_id: str, salt: str = "test-salt") -> str:
    return "USER#" + hashlib.sha256((salt + user_id).encode()).hexdigest()


def cramp_event(pk: str, when: str, request_id: str, muscle: str = "calf") -> dict:
    expires = int(time.time()) + 400 * 86400
    return {
        "pk": pk,
        "sk": f"CRAMP#{when}#{request_id}",
        "muscle": muscle,
        "side": "left",
        "night": when[:10],
        "expires_at": expires,
    }


@pytest.mark.slow
def test_stack_table_has_the_templates_name_keys_and_billing(stack_table):
    description = stack_table.meta.client.describe_table(TableName=stack_table.name)["Table"]
    assert description["TableName"] == "cramp-coach-test"
    assert {k["AttributeName"]: k["KeyType"] for k in description["KeySchema"]} == {
        "pk": "HASH",
        "sk": "RANGE",
    }
    assert description["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"


@pytest.mark.slow
def test_stack_table_takes_the_stores_reads_and_writes(stack_table):
    # The resource's client takes plain Python values, as the store's code does.
    client = stack_table.meta.client
    pk = user_key("amzn1.ask.account.NIGHTOWL")
    profile = {"pk": pk, "sk": "PROFILE", "consent": True, "cramp_count": 0, "tz": "US/Eastern"}
    stack_table.put_item(Item=profile, ConditionExpression="attribute_not_exists(pk)")

    # A cramp and its count in one transaction, guarded so a retried request cannot count twice.
    first = cramp_event(pk, "2026-11-26T08:00:00Z", "req-1")
    record = [
        {
            "Put": {
                "TableName": stack_table.name,
                "Item": first,
                "ConditionExpression": "attribute_not_exists(sk)",
            }
        },
        {
            "Update": {
                "TableName": stack_table.name,
                "Key": {"pk": pk, "sk": "PROFILE"},
                "UpdateExpression": "ADD cramp_count :one",
                "ExpressionAttributeValues": {":one": 1},
            }
        },
    ]
    client.transact_write_items(TransactItems=record)
    with pytest.raises(ClientError) as retried:
        client.transact_write_items(TransactItems=record)
    assert retried.value.response["Error"]["Code"] == "TransactionCanceledException"

    # A later cramp, written only while consent stands (ConditionCheck on the profile) ...
    second = cramp_event(pk, "2026-11-26T09:30:00Z", "req-2", muscle="foot")
    client.transact_write_items(
        TransactItems=[
            {
                "ConditionCheck": {
                    "TableName": stack_table.name,
                    "Key": {"pk": pk, "sk": "PROFILE"},
                    "ConditionExpression": "consent = :yes",
                    "ExpressionAttributeValues": {":yes": True},
                }
            },
            {"Put": {"TableName": stack_table.name, "Item": second}},
        ]
    )
    stack_table.update_item(
        Key={"pk": pk, "sk": "PROFILE"},
        UpdateExpression="ADD cramp_count :one",
        ExpressionAttributeValues={":one": 1},
    )
    # ... and one more from an earlier night, written in a batch.
    third = cramp_event(pk, "2026-11-25T07:10:00Z", "req-0", muscle="hamstring")
    client.batch_write_item(RequestItems={stack_table.name: [{"PutRequest": {"Item": third}}]})

    history = stack_table.query(
        KeyConditionExpression="pk = :pk AND begins_with(sk, :cramps)",
        ExpressionAttributeValues={":pk": pk, ":cramps": "CRAMP#"},
        ScanIndexForward=False,
    )["Items"]
    assert [item["muscle"] for item in history] == ["foot", "calf", "hamstring"]
    assert all(isinstance(item["expires_at"], Decimal) for item in history)
    stored = stack_table.get_item(Key={"pk": pk, "sk": "PROFILE"}, ConsistentRead=True)["Item"]
    assert stored["cramp_count"] == 2

    # "Delete my history": every item of the user goes.
    for item in history + [stored]:
        stack_table.delete_item(Key={"pk": item["pk"], "sk": item["sk"]})
    left = stack_table.query(
        KeyConditionExpression="pk = :pk", ExpressionAttributeValues={":pk": pk}
    )["Items"]
    assert left == []


# --- what `sam deploy` turns the template into ------------------------------------------------


@pytest.fixture(scope="module")
def deployed_template(monkeypatch_module) -> dict:
    """The template after the SAM transform, as CloudFormation receives it from `sam deploy`."""
    from samtranslator.translator.transform import transform
    from samtranslator.yaml_helper import yaml_parse

    class NoManagedPolicies:  # the template names none; the transform must not look any up
        def load(self) -> dict:
            return {}

    monkeypatch_module.setenv("AWS_DEFAULT_REGION", "us-east-1")
    sam = yaml_parse(TEMPLATE_PATH.read_text())
    # sam deploy uploads the zip and puts its S3 location here before transforming.
    sam["Resources"]["SkillFunction"]["Properties"]["CodeUri"] = "s3://artefacts/cramp-coach.zip"
    parameters = {
        "SkillId": "amzn1.ask.skill.0f4e5d1a-9c2b-4f3e-8a7d-1b2c3d4e5f60",
        "Stage": "dev",
        "UserHashSalt": "0" * 64,
    }
    return transform(sam, parameters, NoManagedPolicies())


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as patch:
        yield patch


@pytest.mark.slow
def test_sam_transform_gives_a_template_cfn_lint_accepts(deployed_template, tmp_path):
    assert "Transform" not in deployed_template
    path = tmp_path / "deployed.json"
    path.write_text(json.dumps(deployed_template))
    assert [str(match) for match in lint_file(path)] == []


@pytest.mark.slow
def test_deployed_skill_calls_the_live_alias_and_only_the_skill_may(deployed_template):
    resources = deployed_template["Resources"]
    aliases = resources_of_type(deployed_template, "AWS::Lambda::Alias")
    ((alias_name, alias),) = aliases.items()
    assert alias["Properties"]["Name"] == "live"
    permissions = resources_of_type(deployed_template, "AWS::Lambda::Permission")
    assert [p["Properties"]["FunctionName"] for p in permissions.values()] == [{"Ref": alias_name}]
    assert deployed_template["Outputs"]["SkillEndpointArn"]["Value"] == {"Ref": alias_name}
    # SAM made no role of its own: the locked-down role is the only one.
    assert list(resources_of_type(deployed_template, "AWS::IAM::Role")) == ["FunctionRole"]
    function = resources["SkillFunction"]["Properties"]
    assert function["Architectures"] == ["arm64"] and function["Timeout"] < ALEXA_TIMEOUT_SECONDS


@pytest.mark.slow
def test_the_skills_own_store_works_on_the_stack_table(template, monkeypatch):
    """cramp_coach.store, unchanged, against the table CloudFormation made from the template."""
    import datetime as dt

    from cramp_coach import store

    monkeypatch.setenv("USER_HASH_SALT", "stack-test-salt")
    monkeypatch.setenv("CRAMP_RETENTION_DAYS", "400")
    monkeypatch.delenv("AWS_ENDPOINT_URL_DYNAMODB", raising=False)
    with mock_aws():
        cloudformation = boto3.client("cloudformation", region_name="us-east-1")
        cloudformation.create_stack(
            StackName="cramp-coach-store",
            TemplateBody=table_only_template(template),
            Parameters=[{"ParameterKey": "Stage", "ParameterValue": "store"}],
        )
        monkeypatch.setenv("CRAMP_TABLE_NAME", "cramp-coach-store")
        store.reset_client()
        try:
            user = "amzn1.ask.account.STACKUSER"
            dynamo = store.DynamoStore()
            at = dt.datetime(2026, 11, 26, 8, 0, tzinfo=dt.UTC)
            cramp = store.Cramp(at, dt.date(2026, 11, 25), "calf", "left", "live", "req-1")
            assert dynamo.record_cramp(user, cramp) == store.NOT_ASKED  # no consent, no write
            assert dynamo.grant_consent(user, cramp) == store.SAVED
            assert dynamo.record_cramp(user, cramp) == store.ALREADY_SAVED  # a retry
            later = store.Cramp(at + dt.timedelta(hours=1), cramp.night, "foot", None, "live", "r2")
            assert dynamo.record_cramp(user, later) == store.SAVED

            history = dynamo.history_since(user, at - dt.timedelta(days=7))
            assert [c.muscle for c in history.cramps] == ["calf", "foot"]
            assert history.profile.cramp_count == 2
            stored = boto3.client("dynamodb", region_name="us-east-1").get_item(
                TableName="cramp-coach-store", Key=store.item_key(user, cramp.sort_key)
            )["Item"]
            assert abs(int(stored["expires_at"]["N"]) - (time.time() + 400 * 86400)) < 60
            assert dynamo.latest_cramp(user).cramps[-1].muscle == "foot"

            assert dynamo.delete_user(user) == 3  # profile and both cramps
            assert dynamo.load_profile(user) is None
        finally:
            store.reset_client()


def dynamodb_actions_the_code_needs() -> set[str]:
    """IAM actions behind every DynamoDB call in the skill package (local tools excluded)."""
    package_dir = ROOT / "lambda" / "cramp_coach"
    sources = [
        path.read_text()
        for path in package_dir.rglob("*.py")
        if path.name != "local_dynamodb.py" and "webservice" not in path.parts
    ]
    calls = set()
    for source in sources:
        calls |= set(re.findall(r"\bcall\(\s*\"(\w+)\"", source))
        calls |= set(re.findall(r"client\(\)\.(\w+)\(", source))
    actions = {
        "dynamodb:" + "".join(word.title() for word in call.split("_"))
        for call in calls
        if call != "transact_write_items"
    }
    if "transact_write_items" in calls:  # authorised per item: which kinds of item are written
        kinds = set(re.findall(r"\{\"(Put|Update|Delete|ConditionCheck)\":", "".join(sources)))
        actions |= {f"dynamodb:{kind}Item" for kind in kinds}
    return actions


def test_the_role_allows_every_dynamodb_call_the_code_makes():
    needed = dynamodb_actions_the_code_needs()
    assert {"dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem"} <= needed
    assert needed <= STORE_ACTIONS, f"add to the role (and STORE_ACTIONS): {needed - STORE_ACTIONS}"


# --- failures someone hears about (docs/operations.md "Metrics") -----------------------------

# The contract with the code: the event name a log line carries -> the metric it counts into.
FAILURE_METRICS = {
    "handler_failed": "HandlerFailures",
    "skill_disabled_delete_failed": "DisabledDeletionFailures",
    "reminder_api_failed": "ReminderApiFailures",
    "store_deadline_missed": "StoreDeadlineMisses",
}


def test_each_caught_failure_is_counted_from_the_functions_logs_and_alarmed(template):
    filters = resources_of_type(template, "AWS::Logs::MetricFilter").values()
    log_group, _ = only(template, "AWS::Logs::LogGroup")
    counted = {}
    for metric_filter in filters:
        properties = metric_filter["Properties"]
        assert properties["LogGroupName"] == {"Ref": log_group}
        (transformation,) = properties["MetricTransformations"]
        assert transformation["MetricValue"] == "1"
        assert transformation["MetricNamespace"] == {"Fn::Sub": "CrampCoach/${Stage}"}
        # A quoted term matches the event name anywhere in a line: Text or JSON log format.
        counted[properties["FilterPattern"].strip('"')] = transformation["MetricName"]
    assert counted == FAILURE_METRICS
    docs = (ROOT / "docs" / "operations.md").read_text()
    alarm_resources = resources_of_type(template, "AWS::CloudWatch::Alarm").values()
    alarms = [a["Properties"] for a in alarm_resources]
    for event, metric in FAILURE_METRICS.items():
        assert f"`{event}`" in docs and f"`{metric}`" in docs, f"document {event} -> {metric}"
        (alarm,) = [a for a in alarms if a["MetricName"] == metric]
        assert alarm["Namespace"] == {"Fn::Sub": "CrampCoach/${Stage}"}
        assert alarm["AlarmActions"]["Fn::If"][0] == "HasAlarmTopic"
        assert alarm["TreatMissingData"] == "notBreaching"
    (deletion,) = [a for a in alarms if a["MetricName"] == "DisabledDeletionFailures"]
    assert deletion["Threshold"] == 1  # every user whose data stayed behind is someone to fix


def test_a_production_stage_cannot_deploy_without_an_alarm_topic(template):
    rules = template["Rules"].values()
    (rule,) = [r for r in rules if r["RuleCondition"] == {"Fn::Equals": [{"Ref": "Stage"}, "prod"]}]
    (assertion,) = rule["Assertions"]
    assert assertion["Assert"] == {"Fn::Not": [{"Fn::Equals": [{"Ref": "AlarmTopicArn"}, ""]}]}


def test_backups_keep_deleted_health_data_for_about_a_week_only(template):
    _, table = only(template, "AWS::DynamoDB::Table")
    recovery = table["Properties"]["PointInTimeRecoverySpecification"]
    assert recovery["PointInTimeRecoveryEnabled"] is True
    assert recovery["RecoveryPeriodInDays"] == 7


def test_the_privacy_page_is_public_over_https_and_nothing_else_is(template):
    bucket_name, bucket = only(template, "AWS::S3::Bucket")
    blocks = bucket["Properties"]["PublicAccessBlockConfiguration"]
    assert blocks["BlockPublicAcls"] and blocks["IgnorePublicAcls"]
    _, policy = only(template, "AWS::S3::BucketPolicy")
    statements = {s["Sid"]: s for s in policy["Properties"]["PolicyDocument"]["Statement"]}
    read = statements["ReadThePrivacyPolicy"]
    assert read["Action"] == "s3:GetObject"
    assert read["Resource"] == {"Fn::Sub": "${" + bucket_name + ".Arn}/privacy.html"}
    assert statements["HttpsOnly"]["Effect"] == "Deny"
    url = template["Outputs"]["PrivacyPolicyUrl"]["Value"]["Fn::Sub"]
    assert url.startswith("https://") and url.endswith("/privacy.html")

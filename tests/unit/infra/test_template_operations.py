"""What template.yaml promises to on-call and to a second stack (issue 14): alarms that arrive, one
for every way a verification can get stuck, each on a metric the code emits and with its runbook
section; the dashboard; logs that expire; what is retained; names derived from the stack; access
for other accounts. What only a deploy can show is tested on the transformed template in
tests/package."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from typing import Any

import pytest

from faceid_bridge.metric_names import Metric
from infra.local.template import ROOT, Template

OPERATIONS = ROOT / "docs" / "operations.md"
# The metrics whose rise means verifications stop, or their events do (issue 14, item 2).
STUCK_METRICS = {
    "GetResultErrors",
    "ReconcileFailures",
    "FaceIdOutcomesUnknown",
    "PoisonRecords",  # EventTooLarge is counted here, with the records the publisher cannot read
    "PublishFailures",
    "ReconcilerBacklogAgeSeconds",
}
EMITTED = re.compile(r"(?:add_metric\(\s*name=|count_by\()Metric\.(\w+)")


def alarms() -> dict[str, dict[str, Any]]:
    return {name: resource["Properties"] for name, resource in Template().of_type("AWS::CloudWatch::Alarm").items()}


def emitted_metrics() -> set[str]:
    """The metrics the code emits: each named by its Metric constant, as every metric must be."""
    code = [path.read_text() for path in (ROOT / "shared" / "faceid_bridge").rglob("*.py")]
    return {Metric[member].value for text in code for member in EMITTED.findall(text)}


def test_the_code_names_metrics_only_by_their_constants_and_emits_each() -> None:
    code = "\n".join(path.read_text() for path in (ROOT / "shared" / "faceid_bridge").rglob("*.py"))
    assert re.findall(r'add_metric\(\s*name="|count_by\("', code) == []
    assert emitted_metrics() == {metric.value for metric in Metric}


def runbook_sections() -> dict[str, str]:
    """docs/operations.md's level-2 sections, by title."""
    parts = re.split(r"^## ", OPERATIONS.read_text(), flags=re.MULTILINE)[1:]
    return {part.split("\n", 1)[0].strip(): part for part in parts}


def dashboard() -> dict[str, Any]:
    """The dashboard's body, its ${...} substitutions filled with placeholders."""
    body = Template().resources["Dashboard"]["Properties"]["DashboardBody"]["Fn::Sub"]
    document: dict[str, Any] = json.loads(re.sub(r"\$\{[\w:.]+\}", "X", body))
    return document


def test_alarms_go_to_a_topic_whose_own_key_lets_cloudwatch_publish() -> None:
    # Given the alarm topic and its key
    template = Template()
    topic = template.resources["AlarmTopic"]["Properties"]
    key_id = topic["KmsMasterKeyId"]["Ref"]
    key = template.resources[key_id]
    # Then the key is a customer-managed one whose policy lets this account's alarms use it, and only them
    assert key["Type"] == "AWS::KMS::Key" and key["Properties"]["EnableKeyRotation"] is True
    (grant,) = [s for s in key["Properties"]["KeyPolicy"]["Statement"] if s["Principal"].get("Service")]
    assert grant["Principal"]["Service"] == "cloudwatch.amazonaws.com"
    assert set(grant["Action"]) == {"kms:Decrypt", "kms:GenerateDataKey*"}
    assert grant["Condition"]["StringEquals"]["aws:SourceAccount"] == {"Ref": "AWS::AccountId"}
    assert ":alarm:" in grant["Condition"]["ArnLike"]["aws:SourceArn"]["Fn::Sub"]
    # And every alarm notifies it
    assert all(properties["AlarmActions"] == [{"Ref": "AlarmTopic"}] for properties in alarms().values())


def test_an_alarm_email_subscribes_to_the_topic_only_when_given() -> None:
    template = Template()
    assert template.parameters["AlarmEmail"]["Default"] == ""
    subscription = template.resources["AlarmEmailSubscription"]
    assert subscription["Condition"] == "HasAlarmEmail"
    assert subscription["Properties"] == {
        "TopicArn": {"Ref": "AlarmTopic"},
        "Protocol": "email",
        "Endpoint": {"Ref": "AlarmEmail"},
    }


def test_every_way_a_verification_stops_has_an_alarm() -> None:
    alarmed = {
        properties["MetricName"] for properties in alarms().values() if properties["Namespace"] == "FaceIdBridge"
    }
    assert alarmed >= STUCK_METRICS


def test_every_metric_an_alarm_or_the_dashboard_names_is_emitted_by_the_code() -> None:
    # Given the FaceIdBridge metrics the alarms and the dashboard's plain graphs name
    alarmed = {p["MetricName"] for p in alarms().values() if p["Namespace"] == "FaceIdBridge"}
    graphed = {
        metric[1]
        for widget in dashboard()["widgets"]
        for metric in widget["properties"]["metrics"]
        if metric[0] == "FaceIdBridge"
    }
    searched = {
        name
        for widget in dashboard()["widgets"]
        for metric in widget["properties"]["metrics"]
        if isinstance(metric[0], dict)
        for name in re.findall(r'Namespace="FaceIdBridge" MetricName="(\w+)"', metric[0]["expression"])
    }
    # Then each is a Metric constant, and the code emits it
    assert (alarmed | graphed | searched) <= {metric.value for metric in Metric}
    assert (alarmed | graphed | searched) - emitted_metrics() == set()


def test_the_backlog_alarm_also_fires_when_the_reconciler_stops_reporting() -> None:
    (backlog,) = [p for p in alarms().values() if p["MetricName"] == "ReconcilerBacklogAgeSeconds"]
    assert (backlog["TreatMissingData"], backlog["Statistic"]) == ("breaching", "Maximum")


@pytest.mark.parametrize("name", sorted(alarms()))
def test_each_alarm_has_a_runbook_section_its_description_points_at(name: str) -> None:
    # Given the alarm and docs/operations.md
    section = runbook_sections().get(name)
    # Then its section says what it means, finds the affected verifications and says what to do
    assert section is not None, f"docs/operations.md has no '## {name}'"
    assert "**Means**" in section and "**Do**" in section
    query = re.search(r"```\n(fields .+?)```", section, flags=re.DOTALL)
    assert query is not None and "| filter " in query.group(1)
    assert alarms()[name]["AlarmDescription"].endswith(f"Runbook: docs/operations.md#{name.lower()}")


def test_the_dlq_alarm_names_the_redrive_of_a_deployed_stack() -> None:
    assert "`make redrive STACK=" in alarms()["PublisherDLQNotEmptyAlarm"]["AlarmDescription"]


DASHBOARD_GRAPHS = {
    "Verifications created per channel": {"VerificationsCreated"},
    "Terminal decisions per channel": {"Transitions"},
    "Callback latency (notify)": {"Latency"},
    "4xx per route": {"4xx"},
    "5xx per route": {"5xx"},
    "Signature failures": {"SignatureFailures"},
    "Reconciler: reads and errors": {"GetResultReads", "GetResultErrors", "ReconcileFailures", "Errors"},
    "Reconciler: backlog age (s)": {"ReconcilerBacklogAgeSeconds"},
    "Publisher iterator age (ms)": {"IteratorAge"},
    "DLQ depth": {"ApproximateNumberOfMessagesVisible"},
    "Late callbacks (FaceID's answer after a customer cancel)": {"LateCallbacks"},
}


def test_the_dashboard_graphs_what_on_call_looks_at() -> None:
    # Given the dashboard's widgets, by title
    widgets = {widget["properties"]["title"]: widget["properties"] for widget in dashboard()["widgets"]}
    assert set(widgets) == set(DASHBOARD_GRAPHS)
    for title, names in DASHBOARD_GRAPHS.items():
        metrics = widgets[title]["metrics"]
        shown = {m[1] for m in metrics if isinstance(m[0], str)}
        shown |= {
            n
            for m in metrics
            if isinstance(m[0], dict)
            for n in re.findall(r'MetricName=\\?"(\w+)', m[0]["expression"])
        }
        assert names == shown, title
    # And the per-channel, per-decision and per-route graphs search by dimension, per-route ones need detailed metrics
    assert "channel decision" in widgets["Terminal decisions per channel"]["metrics"][0][0]["expression"]
    assert Template().resources["HttpApi"]["Properties"]["DefaultRouteSettings"]["DetailedMetricsEnabled"] is True


def test_every_function_and_the_api_log_to_a_group_that_expires() -> None:
    # Given the template's functions, log groups and the API's access log settings
    template = Template()
    groups = template.of_type("AWS::Logs::LogGroup")
    api = template.resources["HttpApi"]["Properties"]["AccessLogSettings"]
    used = [
        function["Properties"]["LoggingConfig"]["LogGroup"]["Ref"]
        for function in template.of_type("AWS::Serverless::Function").values()
    ]
    used.append(api["DestinationArn"]["Fn::GetAtt"][0])
    # Then each has its own group, kept LogRetentionDays
    functions = template.of_type("AWS::Serverless::Function")
    assert sorted(used) == sorted(groups) and len(set(used)) == len(used) == len(functions) + 1
    assert all(group["Properties"]["RetentionInDays"] == {"Ref": "LogRetentionDays"} for group in groups.values())
    # And access logs are JSON, without query strings or addresses
    access_log = json.loads(api["Format"])
    assert {"requestId", "routeKey", "status"} <= set(access_log)
    assert not [v for v in access_log.values() if re.search(r"querystring|sourceIp|\$context\.path", v, re.I)]


def test_the_readme_retention_table_has_logs() -> None:
    retention = (ROOT / "README.md").read_text().split("## Security and retention", 1)[1].split("\n## ", 1)[0]
    assert re.search(r"^\| logs \|.*`LogRetentionDays`", retention, flags=re.MULTILINE)


@pytest.mark.parametrize("name", ["VerificationsTable", "RequestHashKey", "PublisherDLQ"])
def test_what_correctness_depends_on_is_retained(name: str) -> None:
    resource = Template().resources[name]
    assert (resource.get("DeletionPolicy"), resource.get("UpdateReplacePolicy")) == ("Retain", "Retain")


def test_the_bus_and_the_layer_are_named_after_the_stack() -> None:
    # (The bus unless EventBusName names it; SAM names a layer after its logical id by default.)
    template = Template()
    assert template.parameters["EventBusName"]["Default"] == ""
    name = template.resources["EventBus"]["Properties"]["Name"]
    assert name == {"Fn::If": ["HasEventBusName", {"Ref": "EventBusName"}, {"Ref": "AWS::StackName"}]}
    assert "${AWS::StackName}" in template.resources["SharedLayer"]["Properties"]["LayerName"]["Fn::Sub"]


def test_every_physical_name_derives_from_the_stack_or_names_a_resource_of_it() -> None:
    # A name that is a literal, or a parameter's fixed default, collides with a second stack from
    # this template in the same account; one naming another resource of the stack (a bus policy's
    # bus) inherits that resource's name. A name scoped by a container (a schema in its registry) is
    # unique when the container is the stack's.
    scoped_by = {("AWS::EventSchemas::Schema", "SchemaName"): "RegistryName"}
    resources = Template().resources
    for logical_id, resource in resources.items():
        for key in resource.get("Properties", {}):
            if key.endswith("Name") and key not in ("MetricName", "Namespace"):
                text = json.dumps(resource["Properties"][scoped_by.get((resource["Type"], key), key)])
                names_another = any(f'"{other}"' in text for other in resources)
                assert "AWS::StackName" in text or names_another, (logical_id, key)


def test_other_accounts_get_only_what_a_parameter_grants() -> None:
    template = Template()
    conditional = {
        "SubscriberAccountsBusPolicy": "HasSubscriberAccounts",
        "SubscriberOrganizationBusPolicy": "HasSubscriberOrganization",
        "ApiCallerRole": "HasCallerAccounts",
        "SharedLayerPermission": "HasSharedLayerConsumer",
    }
    assert {name: template.resources[name]["Condition"] for name in conditional} == conditional
    for parameter in ("SubscriberAccountIds", "SubscriberOrganizationId", "CallerAccountIds", "SharedLayerConsumer"):
        assert template.parameters[parameter]["Default"] == ""
    for name in ("SubscriberAccountsBusPolicy", "SubscriberOrganizationBusPolicy"):
        statement = template.resources[name]["Properties"]["Statement"]
        # other accounts manage rules of their own only
        assert statement["Condition"]["StringEqualsIfExists"] == {"events:creatorAccount": "${aws:PrincipalAccount}"}


@pytest.mark.parametrize("webhooks", ["Disabled", "Enabled"])
def test_the_caller_role_invokes_exactly_the_sigv4_routes(webhooks: str) -> None:
    # Given the routes and the caller role's policy of a stack with webhooks off (the default) or on
    template = Template().deployed({"Webhooks": webhooks, "CallerAccountIds": "333333333333"})
    sigv4 = {
        f"{r.method}{re.sub(r'{[^}]+}', '*', r.path)}"
        for spec in template.functions()
        for r in spec.routes
        if not r.public
    }
    (policy,) = template.resources["ApiCallerRole"]["Properties"]["Policies"]
    (statement,) = policy["PolicyDocument"]["Statement"]
    granted = {arn["Fn::Sub"].split("/$default/", 1)[1] for arn in statement["Resource"]}
    # Then it may invoke each IAM route that stack has, and no public one (nor a webhook route it has not)
    assert statement["Action"] == "execute-api:Invoke"
    assert granted == sigv4
    assert any("webhook" in route for route in granted) == (webhooks == "Enabled")


def test_operations_doc_lists_redrives_permissions() -> None:
    redrive = runbook_sections()["Redrive"]
    assert "make redrive STACK=" in redrive
    for action in ("cloudformation:DescribeStacks", "sqs:ReceiveMessage", "sqs:DeleteMessage", "events:PutEvents"):
        assert action in redrive, action


def deploying() -> str:
    return (ROOT / "README.md").read_text().split("## Deploying", 1)[1].split("\n## ", 1)[0]


def test_a_guided_deploy_writes_to_an_ignored_copy_not_the_committed_config() -> None:
    # Given the Makefile's deploy target and README's deploy steps
    makefile = (ROOT / "Makefile").read_text()
    target = makefile.split("\ndeploy:", 1)[1].split("\n\n", 1)[0]
    config = re.search(r"^SAM_CONFIG := (\S+)$", makefile, flags=re.MULTILINE)
    assert config is not None
    # Then sam deploy gets the copy, which git ignores, and nothing points --guided at the committed file
    git = shutil.which("git")
    assert git is not None
    ignored = subprocess.run([git, "check-ignore", "-q", config.group(1)], cwd=ROOT, check=False)
    assert ignored.returncode == 0 and config.group(1) != "infra/samconfig.toml"
    assert "cp infra/samconfig.toml" in target and '--config-file "$(abspath $(SAM_CONFIG))"' in target
    assert not re.search(r"--config-file\W+\S*infra/samconfig\.toml", deploying())
    assert "make deploy" in deploying()


def test_the_readme_prerequisites_name_the_aws_cli_and_which_sam() -> None:
    prerequisites = deploying().split("```", 1)[0]
    assert "AWS CLI" in prerequisites and "`.venv-sam/bin/sam`" in prerequisites
    assert "put-secret-value" in prerequisites

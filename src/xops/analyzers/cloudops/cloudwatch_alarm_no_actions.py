from __future__ import annotations

from collections.abc import Iterator

from xops.core.analyzer import Analyzer
from xops.core.aws import AwsContext, Target
from xops.core.models import AnalyzerMeta, AnalyzerParams, Finding, Remediation, Severity
from xops.core.registry import register


@register
class CloudwatchAlarmNoActions(Analyzer):
    meta = AnalyzerMeta(
        id="cloudops.cloudwatch_alarm_no_actions",
        title="CloudWatch alarms that notify nobody",
        pillar="cloudops",
        severity=Severity.low,
        resource_type="AWS::CloudWatch::Alarm",
        permissions=("cloudwatch:DescribeAlarms",),
        risk="An alarm with no alarm action (or with actions disabled) changes state silently: the condition "
             "it was built to catch goes unnoticed until someone happens to look at the console.",
        remediation=Remediation(
            summary="Add an alarm action (an SNS topic that pages or mails the owning team, or an automated "
                    "action) and make sure actions are enabled; delete alarms nobody needs.",
            cli="aws cloudwatch enable-alarm-actions --region {region} --alarm-names {resource_id}\n"
                "# and add an action: re-run put-metric-alarm with --alarm-actions arn:aws:sns:{region}:ACCOUNT:TOPIC",
            terraform='resource "aws_cloudwatch_metric_alarm" "this" {\n  alarm_name    = "{resource_id}"\n'
                      '  # ...\n  actions_enabled = true\n  alarm_actions   = [aws_sns_topic.ops.arn]\n}',
        ),
    )

    def run(self, aws: AwsContext, at: Target, params: AnalyzerParams) -> Iterator[Finding]:
        alarms = [*aws.inventory.list(at, "cloudwatch", "describe_alarms", "MetricAlarms"),
                  *aws.inventory.list(at, "cloudwatch", "describe_alarms", "CompositeAlarms",
                                      AlarmTypes=["CompositeAlarm"])]
        for alarm in alarms:
            name, arn = alarm["AlarmName"], alarm.get("AlarmArn", "")
            actions, enabled = alarm.get("AlarmActions", []), alarm.get("ActionsEnabled", True)
            if actions and enabled:
                yield self.ok(at, name, f"alarm {name} notifies {len(actions)} action(s)", arn=arn)
                continue
            why = "has no alarm actions" if not actions else "has its actions disabled"
            yield self.fail(
                at, name, f"alarm {name} {why}: nobody is notified when it fires", arn=arn,
                evidence={"actions_enabled": enabled, "alarm_actions": actions,
                          "ok_actions": alarm.get("OKActions", []), "state": alarm.get("StateValue", ""),
                          "metric": f"{alarm.get('Namespace', '')}/{alarm.get('MetricName', '')}".strip("/")},
            )

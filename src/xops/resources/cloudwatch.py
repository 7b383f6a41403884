"""CloudWatch alarms (metric and composite) and Logs log groups."""

from __future__ import annotations

from pydantic import Field

from xops.resources.base import Listing, Resource, Spec
from xops.resources.ops import Op

DESCRIBE_ALARMS = Op("cloudwatch", "describe_alarms")


class Alarm(Resource):
    spec = Spec(type="AWS::CloudWatch::Alarm", noun="alarm", id="AlarmName", arn="AlarmArn",
                list=(Listing(Op("cloudwatch", "describe_alarms", "MetricAlarms")),
                      Listing(Op("cloudwatch", "describe_alarms", "CompositeAlarms"),
                              params={"AlarmTypes": ["CompositeAlarm"]})))

    actions_enabled: bool = Field(True, alias="ActionsEnabled")
    alarm_actions: list[str] = Field(default_factory=list, alias="AlarmActions")
    ok_actions: list[str] = Field(default_factory=list, alias="OKActions")
    state: str = Field("", alias="StateValue")
    namespace: str = Field("", alias="Namespace")
    metric_name: str = Field("", alias="MetricName")


class LogGroup(Resource):
    spec = Spec(type="AWS::Logs::LogGroup", noun="log group", id="logGroupName",
                arn=lambda raw, *_: str(raw.get("logGroupArn") or raw.get("arn", "")).removesuffix(":*"),
                list=Listing(Op("logs", "describe_log_groups", "logGroups")))

    retention_days: int | None = Field(None, alias="retentionInDays")
    stored_bytes: int = Field(0, alias="storedBytes")
    created_epoch_ms: int | None = Field(None, alias="creationTime")

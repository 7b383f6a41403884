from pydantic import Field

from xops.core.analyzer import Ctx, Fail, Pass, Verdict
from xops.core.checks import each
from xops.core.models import AnalyzerParams
from xops.resources.ec2 import FlowLog, Vpc


class Params(AnalyzerParams):
    include_default_vpcs: bool = Field(True, description="Also require flow logs on default VPCs")


@each(Vpc, reads=(FlowLog,), evidence=("is_default", "cidr_block"))
def check(vpc: Vpc, p: Params, ctx: Ctx) -> Verdict | None:
    if vpc.is_default and not p.include_default_vpcs:
        return None
    logs = [{"flow_log_id": fl.id, "traffic_type": fl.traffic_type, "destination_type": fl.destination_type,
             "destination": fl.destination or fl.log_group_name}
            for fl in ctx.list(FlowLog) if fl.resource_id == vpc.id and fl.status == "ACTIVE"]
    kind = "default VPC" if vpc.is_default else "VPC"
    if logs:
        return Pass(f"{kind} {vpc.id} has {len(logs)} active flow log(s)", evidence={"flow_logs": logs})
    return Fail(f"{kind} {vpc.id} ({vpc.cidr_block}) has no active flow log", evidence={"flow_logs": []})

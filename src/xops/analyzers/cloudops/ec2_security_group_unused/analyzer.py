from xops.core.analyzer import Ctx, Fail, Pass, Verdict
from xops.core.checks import each
from xops.resources.ec2 import NetworkInterface, SecurityGroup


# every VPC has a default group and it cannot be deleted
@each(SecurityGroup, where=lambda sg: sg.group_name != "default", reads=(NetworkInterface,),
      evidence=("group_name", "vpc_id"))
def check(sg: SecurityGroup, p: object, ctx: Ctx) -> Verdict:
    enis = [eni.id for eni in ctx.list(NetworkInterface) if sg.id in eni.group_ids]
    evidence = {"network_interfaces": enis[:20], "attachments": len(enis)}
    if enis:
        return Pass(f"security group {sg.group_name} ({sg.id}) is attached to {len(enis)} interface(s)",
                    evidence=evidence)
    return Fail(f"security group {sg.group_name} ({sg.id}) is not attached to any network interface",
                evidence=evidence)

import ipaddress
from typing import Annotated, Any

from pydantic import Field

from xops.core.analyzer import Ctx, Fail, Pass, Verdict
from xops.core.checks import each
from xops.core.models import AnalyzerParams
from xops.resources.ec2 import SecurityGroup

ALL_PROTOCOLS = {"-1", "all"}
TCP = {"tcp", "6"}


def is_world(cidr: str) -> bool:
    """True for a CIDR that matches every address (0.0.0.0/0, ::/0 and their spellings)."""
    try:
        return ipaddress.ip_network(cidr, strict=False).prefixlen == 0
    except ValueError:
        return False


def exposed(perm: dict[str, Any], ports: list[int]) -> list[dict[str, Any]]:
    """The (port, cidr) exposures of one ingress permission: admin ports reachable from the whole internet."""
    proto = str(perm.get("IpProtocol", "")).lower()
    if proto in ALL_PROTOCOLS:
        hit = list(ports)
    elif proto in TCP:
        lo, hi = perm.get("FromPort", 0), perm.get("ToPort", 65535)
        lo, hi = (0, 65535) if lo in (None, -1) else (lo, hi)
        hit = [p for p in ports if lo <= p <= hi]
    else:
        hit = []
    if not hit:
        return []
    cidrs = [r["CidrIp"] for r in perm.get("IpRanges", []) if is_world(r.get("CidrIp", ""))]
    cidrs += [r["CidrIpv6"] for r in perm.get("Ipv6Ranges", []) if is_world(r.get("CidrIpv6", ""))]
    rng = "all" if proto in ALL_PROTOCOLS else f"{perm.get('FromPort')}-{perm.get('ToPort')}"
    return [{"protocol": proto, "port_range": rng, "ports": hit, "source": c} for c in cidrs]


class Params(AnalyzerParams):
    ports: list[Annotated[int, Field(ge=0, le=65535)]] = Field(
        default_factory=lambda: [22, 3389], min_length=1,
        description="Administrative TCP ports that must not be reachable from 0.0.0.0/0 or ::/0")


@each(SecurityGroup, evidence=("group_name", "vpc_id"))
def check(sg: SecurityGroup, p: Params, ctx: Ctx) -> Verdict:
    hits = [h for perm in sg.ingress for h in exposed(perm, p.ports)]
    if not hits:
        return Pass(f"security group {sg.group_name} ({sg.id}) exposes no admin port to the internet")
    ports = ", ".join(map(str, sorted({port for h in hits for port in h["ports"]})))
    return Fail(f"security group {sg.group_name} ({sg.id}) allows port(s) {ports} from "
                f"{', '.join(sorted({h['source'] for h in hits}))}", evidence={"open_rules": hits})

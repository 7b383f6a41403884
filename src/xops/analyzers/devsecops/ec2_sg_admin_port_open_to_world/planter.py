from typing import Any

from xops.sandbox.estate.base import Plot

WORLD4, WORLD6 = [{"CidrIp": "0.0.0.0/0"}], [{"CidrIpv6": "::/0"}]


def rule(proto: str, lo: int | None = None, hi: int | None = None, v4: list[dict[str, str]] | None = None,
         v6: list[dict[str, str]] | None = None) -> dict[str, Any]:
    perm: dict[str, Any] = {"IpProtocol": proto, "IpRanges": v4 or [], "Ipv6Ranges": v6 or []}
    if lo is not None:
        perm.update(FromPort=lo, ToPort=hi if hi is not None else lo)
    return perm


# Ingress rules that reach 22 or 3389 from the whole internet (IPv4 or IPv6, single port, range or all).
OPEN_RULES = [
    ("ssh-world", rule("tcp", 22, v4=WORLD4)),
    ("rdp-world-v6", rule("tcp", 3389, v6=WORLD6)),
    ("all-tcp", rule("tcp", 0, 65535, v4=WORLD4)),
    ("all-traffic-v6", rule("-1", v6=WORLD6)),
    ("legacy-20-25", rule("tcp", 20, 25, v4=WORLD4)),
    ("rdp-range", rule("tcp", 3380, 3400, v4=WORLD4, v6=WORLD6)),
]
# Look-alikes that are fine: other ports from the world, admin ports from private or known ranges only.
SAFE_RULES = [
    ("https", rule("tcp", 443, v4=WORLD4, v6=WORLD6)),
    ("ssh-corp", rule("tcp", 22, v4=[{"CidrIp": "10.0.0.0/8"}])),
    ("rdp-bastion", rule("tcp", 3389, v4=[{"CidrIp": "203.0.113.10/32"}], v6=[{"CidrIpv6": "2001:db8::/32"}])),
    ("between-admin-ports", rule("tcp", 23, 3388, v4=WORLD4)),
    ("internal-all", rule("-1", v4=[{"CidrIp": "10.0.0.0/16"}])),
    ("dns-udp", rule("udp", 53, v4=WORLD4)),
]


def plant(plot: Plot) -> None:
    for place in plot.places():
        for _ in range(plot.count(2)):
            label, perm = plot.rng.choice(OPEN_RULES)
            plot.bad(place.account, place.region, place.security_group(label, perm), f"{label} from the internet")
        for _ in range(plot.count(2)):
            label, perm = plot.rng.choice(SAFE_RULES)
            plot.good(place.account, place.region, place.security_group(label, perm), f"{label}: no admin port open")

from xops.analyzers.finops.ec2_previous_generation.analyzer import successor
from xops.sandbox.estate.base import Plot
from xops.sandbox.estate.build import HOURS, PRICES

PREVIOUS_TYPES = ("t2.micro", "t2.small", "t2.medium", "m4.large", "c4.large", "r4.large")


def plant(plot: Plot) -> None:
    for place in plot.places():
        for _ in range(plot.count(1)):
            itype = plot.rng.choice(PREVIOUS_TYPES)
            new = successor(itype)
            old_price, new_price = PRICES.ec2_hour(place.region, itype), PRICES.ec2_hour(place.region, str(new))
            assert old_price is not None and new_price is not None
            plot.bad(place.account, place.region, place.instance(itype), f"running {itype}",
                     usd=(old_price.usd - new_price.usd) * HOURS)
        plot.good(place.account, place.region, place.instance("m6i.large"), "current generation")

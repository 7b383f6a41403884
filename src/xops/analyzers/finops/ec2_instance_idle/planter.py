from xops.sandbox.estate.base import Plot
from xops.sandbox.estate.build import CURRENT_TYPES, HOURS, PRICES


def plant(plot: Plot) -> None:
    for place in plot.places():
        for _ in range(plot.count(2)):
            itype = plot.rng.choice(CURRENT_TYPES)
            price = PRICES.ec2_hour(place.region, itype)
            assert price is not None
            plot.bad(place.account, place.region, place.instance(itype, cpu=(0.1, 3.5)), f"{itype} under 3.5% CPU every day",
                     usd=price.usd * HOURS)
        plot.good(place.account, place.region, place.instance(plot.rng.choice(CURRENT_TYPES)), "busy")

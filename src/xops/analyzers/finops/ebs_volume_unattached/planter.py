from xops.sandbox.estate.base import Plot
from xops.sandbox.estate.build import PRICES


def plant(plot: Plot) -> None:
    for place in plot.places():
        for _ in range(plot.count(2)):
            size, vtype = plot.rng.choice([20, 50, 100, 500]), plot.rng.choice(["gp3", "st1"])
            vid = place.volume(size, vtype, attached=False)
            plot.bad(place.account, place.region, vid, f"{size} GiB {vtype} available",
                     usd=size * PRICES.ebs_gb_month(place.region, vtype).usd)
        plot.good(place.account, place.region, place.volume(plot.rng.choice([10, 40])), "attached")

from xops.sandbox.estate.base import Plot
from xops.sandbox.estate.build import PRICES


def plant(plot: Plot) -> None:
    for place in plot.places():
        gp2, gp3 = PRICES.ebs_gb_month(place.region, "gp2").usd, PRICES.ebs_gb_month(place.region, "gp3").usd
        for _ in range(plot.count(2)):
            size = plot.rng.choice([50, 100, 250, 1000])
            plot.bad(place.account, place.region, place.volume(size, "gp2"), f"{size} GiB gp2",
                     usd=size * (gp2 - gp3))
        plot.good(place.account, place.region, place.volume(100, plot.rng.choice(["gp3", "st1"])), "not gp2")

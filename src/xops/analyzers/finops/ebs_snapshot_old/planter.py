from xops.sandbox.estate.base import Plot
from xops.sandbox.estate.build import PRICES


def plant(plot: Plot) -> None:
    for place in plot.places():
        for _ in range(plot.count(2)):
            days = plot.rng.randint(120, 900)
            sid, size = place.snapshot(days)
            plot.bad(place.account, place.region, sid, f"{size} GiB, {days} days old",
                     usd=size * PRICES.ebs_snapshot_gb_month(place.region).usd)
        days = plot.rng.randint(1, 60)
        plot.good(place.account, place.region, place.snapshot(days)[0], f"{days} days old")

from xops.sandbox.estate.base import Plot
from xops.sandbox.estate.build import CURRENT_TYPES, PRICES


def plant(plot: Plot) -> None:
    for place in plot.places():
        for _ in range(plot.count(2)):
            root = plot.rng.choice([8, 20, 30, 50])
            data = (plot.rng.choice([50, 100, 200]), plot.rng.choice(["gp3", "st1", "sc1"])) if plot.rng.random() < 0.6 else None
            iid = place.instance(plot.rng.choice(CURRENT_TYPES), root_gb=root, data=data)
            days = plot.rng.randint(1, 200)
            place.stop(iid, days)
            usd = root * PRICES.ebs_gb_month(place.region, "gp3").usd
            usd += data[0] * PRICES.ebs_gb_month(place.region, data[1]).usd if data else 0.0
            plot.bad(place.account, place.region, iid, f"stopped {days} days ago",
                     usd=usd)
        plot.good(place.account, place.region, place.instance(), "running")

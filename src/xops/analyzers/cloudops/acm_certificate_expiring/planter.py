from xops.sandbox.estate.base import Plot


def plant(plot: Plot) -> None:
    for place in plot.places():
        for label, days in (("expiring", plot.rng.randint(3, 25)), ("expired", plot.rng.randint(-60, -1))):
            plot.bad(place.account, place.region, place.certificate(label, days_left=days), f"{label}: {days} days left")
        for _ in range(plot.count(2)):
            days = plot.rng.randint(90, 400)
            plot.good(place.account, place.region, place.certificate("www", days_left=days), f"{days} days left")

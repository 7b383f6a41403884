from xops.sandbox.estate.base import Plot


def plant(plot: Plot) -> None:
    for place in plot.places():
        for _ in range(plot.count(2)):  # e.g. Lambda log groups: created on first invoke, never given a retention
            name = place.log_group(f"/aws/lambda/{place.name('ingest')}", retention_days=None)
            plot.bad(place.account, place.region, name, "never expires")
        days = plot.rng.choice([30, 90, 365])
        plot.good(place.account, place.region, place.log_group(f"/xops/app/{place.name('service')}",
                                                               retention_days=days), f"{days} days")

from xops.sandbox.estate.base import Plot


def plant(plot: Plot) -> None:
    for place in plot.places():
        for _ in range(plot.count(1)):
            days = plot.rng.choice([0, 1, 3])
            plot.bad(place.account, place.region, place.db_instance("billing", BackupRetentionPeriod=days),
                     f"{days} day(s) of backups")
        plot.good(place.account, place.region, place.db_instance("orders"), "14 days of backups")

from xops.sandbox.estate.base import Plot


def plant(plot: Plot) -> None:
    for place in plot.places():
        for _ in range(plot.count(1)):
            plot.bad(place.account, place.region, place.db_instance("shop", PubliclyAccessible=True), "public")
        plot.good(place.account, place.region, place.db_instance("ledger"), "private")

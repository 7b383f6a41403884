from xops.sandbox.estate.base import Plot


def plant(plot: Plot) -> None:
    for place in plot.places():
        for _ in range(plot.count(1)):
            plot.bad(place.account, place.region, place.security_group("orphan", attached=False), "attached to nothing")
        plot.good(place.account, place.region, place.security_group("app"), "attached to an instance")

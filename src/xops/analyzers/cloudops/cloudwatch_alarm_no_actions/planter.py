from xops.sandbox.estate.base import Plot


def plant(plot: Plot) -> None:
    for place in plot.places():
        for _ in range(plot.count(1)):
            plot.bad(place.account, place.region, place.alarm("silent", actions=False), "no alarm actions")
            plot.bad(place.account, place.region, place.alarm("muted", actions_enabled=False), "actions disabled")
        plot.good(place.account, place.region, place.alarm("cpu"), "notifies ops-alerts")

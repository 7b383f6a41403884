from xops.sandbox.estate.base import Plot


def plant(plot: Plot) -> None:
    for place in plot.places():
        for _ in range(plot.count(2)):
            plot.bad(place.account, place.region, place.table("sessions", pitr=False), "no point-in-time recovery")
        plot.good(place.account, place.region, place.table("orders"), "point-in-time recovery on")

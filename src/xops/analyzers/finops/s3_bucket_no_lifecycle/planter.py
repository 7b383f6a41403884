from xops.sandbox.estate.base import Plot
from xops.sandbox.estate.build import LIFECYCLE_RULES


def plant(plot: Plot) -> None:
    for place in plot.places():
        for _ in range(plot.count(1)):
            plot.bad(place.account, place.region, place.bucket("logs", lifecycle=None), "no lifecycle configuration")
        disabled = [{**LIFECYCLE_RULES[0], "Status": "Disabled"}]
        plot.bad(place.account, place.region, place.bucket("archive", lifecycle=disabled), "lifecycle rule disabled")
        plot.good(place.account, place.region, place.bucket("data"), "enabled lifecycle rule")

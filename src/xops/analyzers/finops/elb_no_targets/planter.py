from xops.sandbox.estate.base import Plot
from xops.sandbox.estate.build import HOURS, PRICES


def plant(plot: Plot) -> None:
    for place in plot.places():
        for _ in range(plot.count(1)):
            name, kind = place.load_balancer("empty", "application", targets=False)
            plot.bad(place.account, place.region, name, "empty target group",
                     usd=PRICES.elb_hour(place.region, kind).usd * HOURS)
            name, kind = place.load_balancer("unused", "network", listener=False)
            plot.bad(place.account, place.region, name, "no listener",
                     usd=PRICES.elb_hour(place.region, kind).usd * HOURS)
        plot.good(place.account, place.region, place.load_balancer("web")[0], "two registered targets")

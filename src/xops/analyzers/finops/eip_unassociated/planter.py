from xops.sandbox.estate.base import Plot
from xops.sandbox.estate.build import HOURS, PRICES


def plant(plot: Plot) -> None:
    for place in plot.places():
        usd = PRICES.public_ipv4_hour(place.region).usd * HOURS
        for _ in range(plot.count(2)):
            plot.bad(place.account, place.region, place.elastic_ip(associated=False), "never associated",
                     usd=usd)
        plot.good(place.account, place.region, place.elastic_ip(), "associated with an instance")

from xops.sandbox.estate.base import Plot
from xops.sandbox.estate.build import HOURS, PRICES


def plant(plot: Plot) -> None:
    for place in plot.places():
        usd = PRICES.nat_gateway_hour(place.region).usd * HOURS
        for _ in range(plot.count(1)):
            nid, sent = place.nat_gateway(bytes_out=(0, 50_000))
            plot.bad(place.account, place.region, nid, f"{sent:,.0f} bytes out in 14 days",
                     usd=usd)
        nid, sent = place.nat_gateway()
        plot.good(place.account, place.region, nid, f"{sent:,.0f} bytes out in 14 days")

from xops.sandbox.estate.base import Plot


def plant(plot: Plot) -> None:
    for place in plot.places():
        for _ in range(plot.count(1)):
            plot.bad(place.account, place.region, place.bucket("raw", encryption=False), "no default encryption")
        plot.good(place.account, place.region, place.bucket("secure"), "AES256 by default")

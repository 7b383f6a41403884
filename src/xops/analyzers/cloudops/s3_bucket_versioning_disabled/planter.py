from xops.sandbox.estate.base import Plot


def plant(plot: Plot) -> None:
    for place in plot.places():
        for _ in range(plot.count(1)):
            plot.bad(place.account, place.region, place.bucket("scratch", versioning=None), "never enabled")
            plot.bad(place.account, place.region, place.bucket("exports", versioning="Suspended"), "suspended")
        plot.good(place.account, place.region, place.bucket("records"), "versioning enabled")

from xops.sandbox.estate.base import Plot


def plant(plot: Plot) -> None:
    for place in plot.places():
        for _ in range(plot.count(2)):
            plot.bad(place.account, place.region, place.instance(imdsv2=False), "HttpTokens optional")
        plot.good(place.account, place.region, place.instance(), "IMDSv2 required")

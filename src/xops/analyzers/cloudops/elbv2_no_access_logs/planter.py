from xops.sandbox.estate.base import Plot


def plant(plot: Plot) -> None:
    for place in plot.places():
        for kind in ("application", "network"):
            name, _ = place.load_balancer("nolog", kind, access_logs=False)
            plot.bad(place.account, place.region, name, f"{kind}, access logs off")
        plot.good(place.account, place.region, place.load_balancer("logged")[0], "logs to S3")

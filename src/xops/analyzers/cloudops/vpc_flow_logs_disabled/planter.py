from xops.sandbox.estate.base import Plot


def plant(plot: Plot) -> None:
    """Every default VPC is logged but in two places; each place gets a logged and an unlogged VPC
    (not scaled: the default quota is 5 VPCs per region)."""
    places = list(plot.places())
    unlogged_defaults = set(plot.rng.sample(range(len(places)), 2))
    for n, place in enumerate(places):
        default = place.default_vpc()
        if n in unlogged_defaults:
            plot.bad(place.account, place.region, default, "default VPC without flow logs")
        else:
            place.flow_logs(default)
            plot.good(place.account, place.region, default, "default VPC with a flow log")
        plot.bad(place.account, place.region, place.vpc(f"10.{2 * n + 1}.0.0/16", flow_logs=False), "no flow log")
        plot.good(place.account, place.region, place.vpc(f"10.{2 * n + 2}.0.0/16"), "flow log to CloudWatch Logs")

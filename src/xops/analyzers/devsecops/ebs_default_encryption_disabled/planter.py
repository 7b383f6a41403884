from xops.sandbox.estate.base import Plot


def plant(plot: Plot) -> None:
    """EBS encryption by default is an account and region setting: on everywhere but in two places."""
    places = list(plot.places())
    off = set(plot.rng.sample(range(len(places)), 2))
    for n, place in enumerate(places):
        if n in off:
            plot.bad(place.account, place.region, place.account, "encryption by default left off")
        else:
            place.ec2.enable_ebs_encryption_by_default()
            plot.good(place.account, place.region, place.account, "encryption by default on")

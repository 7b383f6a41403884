from xops.sandbox.estate.base import Plot
from xops.sandbox.estate.build import ALL_BLOCKED, PAB_FLAGS


def plant(plot: Plot) -> None:
    for place in plot.places():
        for _ in range(plot.count(1)):
            plot.bad(place.account, place.region, place.bucket("website", public_access_block=None), "not configured")
            off = plot.rng.choice(PAB_FLAGS)
            plot.bad(place.account, place.region, place.bucket("shared", public_access_block={**ALL_BLOCKED, off: False}),
                     f"{off} off")
        plot.good(place.account, place.region, place.bucket("private"), "all four settings on")

from xops.sandbox.estate.base import Plot


def plant(plot: Plot) -> None:
    for place in plot.places():
        for _ in range(plot.count(2)):
            vid = place.volume(plot.rng.choice([10, 50, 100, 200]), encrypted=False)
            plot.bad(place.account, place.region, vid, "unencrypted gp3 data volume, attached")
        plot.good(place.account, place.region, place.volume(50), "encrypted")

from xops.sandbox.estate.base import Plot

OLD_RUNTIMES = ("python3.8", "python3.7", "nodejs16.x", "nodejs14.x", "go1.x", "ruby2.7", "java8")
CURRENT_RUNTIMES = ("python3.13", "python3.12", "java21", "provided.al2023", "nodejs24.x")


def plant(plot: Plot) -> None:
    for place in plot.places():
        for _ in range(plot.count(2)):
            runtime = plot.rng.choice(OLD_RUNTIMES)
            plot.bad(place.account, place.region, place.function("resize", runtime), runtime)
        runtime = plot.rng.choice(CURRENT_RUNTIMES)
        plot.good(place.account, place.region, place.function("notify", runtime), runtime)

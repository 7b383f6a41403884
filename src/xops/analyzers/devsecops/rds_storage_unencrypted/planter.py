from xops.sandbox.estate.base import Plot


def plant(plot: Plot) -> None:
    for place in plot.places():
        for _ in range(plot.count(1)):
            engine, version = plot.rng.choice([("mysql", "8.0.36"), ("mariadb", "10.11.8")])
            dbid = place.db_instance("legacy", StorageEncrypted=False, Engine=engine, EngineVersion=version)
            plot.bad(place.account, place.region, dbid, f"{engine}, unencrypted")
        plot.good(place.account, place.region, place.db_instance("vault"), "encrypted")

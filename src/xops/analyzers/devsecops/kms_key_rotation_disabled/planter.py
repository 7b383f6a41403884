from xops.sandbox.estate.base import Plot


def plant(plot: Plot) -> None:
    """Kept small (moto makes a private key per KMS key): per place one key without rotation, one rotating,
    and in the home region a disabled key (rotation does not apply to it)."""
    for place in plot.places():
        for _ in range(plot.count(1)):
            plot.bad(place.account, place.region, place.kms_key("legacy", rotation=False), "rotation off")
        plot.good(place.account, place.region, place.kms_key("app-data"), "rotation on")
        if place.region == plot.home_region:
            plot.good(place.account, place.region, place.kms_key("retired", rotation=False, enabled=False),
                      "disabled: rotation does not apply")

from xops.sandbox.estate.base import Plot
from xops.sandbox.estate.build import Place

FLAWS = ("no-owner", "no-costcentre-env", "blank-environment", "lowercase-owner", "name-only")


def flawed_tags(place: Place, flaw: str) -> list[dict[str, str]]:
    """The compliant tags with the required keys dropped, blanked or spelled in another case."""
    tags = place.tag_dict(Name=f"legacy-{flaw}")
    if flaw == "no-owner":
        del tags["Owner"]
    elif flaw == "no-costcentre-env":
        del tags["CostCentre"], tags["Environment"]
    elif flaw == "blank-environment":
        tags["Environment"] = ""
    elif flaw == "lowercase-owner":
        tags["owner"] = tags.pop("Owner")
    else:
        tags = {"Name": tags["Name"], "cost-centre": tags["cost-centre"]}
    return [{"Key": k, "Value": v} for k, v in tags.items()]


def plant(plot: Plot) -> None:
    for place in plot.places():
        for _ in range(plot.count(2)):
            flaw = plot.rng.choice(FLAWS)
            plot.bad(place.account, place.region, place.instance(tags=flawed_tags(place, flaw)), flaw)
        plot.good(place.account, place.region, place.instance(), "all required tags")

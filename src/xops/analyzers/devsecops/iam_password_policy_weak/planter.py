from xops.sandbox.estate.base import Plot
from xops.sandbox.estate.build import STRONG_PASSWORDS

GLOBAL = "global"


def plant(plot: Plot) -> None:
    """The management account has a strong policy; the member one none, a short one or one without symbols."""
    plot.account(plot.management).iam.update_account_password_policy(**STRONG_PASSWORDS)
    plot.good(plot.management, GLOBAL, plot.management, "16+ characters, full complexity")
    iam = plot.account(plot.member).iam
    variant = plot.rng.choice(["none", "short", "no-symbols"])
    if variant == "short":
        iam.update_account_password_policy(**{**STRONG_PASSWORDS, "MinimumPasswordLength": 8})
    elif variant == "no-symbols":
        iam.update_account_password_policy(**{**STRONG_PASSWORDS, "RequireSymbols": False})
    plot.bad(plot.member, GLOBAL, plot.member, f"password policy: {variant}")

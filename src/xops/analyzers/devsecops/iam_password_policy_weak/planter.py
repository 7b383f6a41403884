from xops.sandbox.estate.base import Plot
from xops.sandbox.estate.build import STRONG_PASSWORDS

GLOBAL = "global"


def plant(plot: Plot) -> None:
    """Every account has a strong policy but the first member: none, a short one or one without symbols."""
    for account in plot.accounts:
        if account != plot.member:
            plot.account(account).iam.update_account_password_policy(**STRONG_PASSWORDS)
            plot.good(account, GLOBAL, account, "16+ characters, full complexity")
    iam = plot.account(plot.member).iam
    variant = plot.rng.choice(["none", "short", "no-symbols"])
    if variant == "short":
        iam.update_account_password_policy(**{**STRONG_PASSWORDS, "MinimumPasswordLength": 8})
    elif variant == "no-symbols":
        iam.update_account_password_policy(**{**STRONG_PASSWORDS, "RequireSymbols": False})
    plot.bad(plot.member, GLOBAL, plot.member, f"password policy: {variant}")

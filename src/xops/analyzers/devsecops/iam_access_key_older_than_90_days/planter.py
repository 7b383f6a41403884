from xops.sandbox.estate.base import Plot

GLOBAL = "global"


def plant(plot: Plot) -> None:
    for account_id in plot.accounts:
        account = plot.account(account_id)
        for i in range(plot.count(2)):
            days = plot.rng.randint(100, 900)
            kid = account.access_key(account.user(f"svc-legacy-{i:02d}"), age_days=days)
            plot.bad(account_id, GLOBAL, kid, f"active key {days} days old")
        for i in range(plot.count(2)):
            days = plot.rng.randint(1, 80)
            kid = account.access_key(account.user(f"svc-app-{i:02d}"), age_days=days)
            plot.good(account_id, GLOBAL, kid, f"active key {days} days old")
        kid = account.access_key(account.user("svc-retired-00"), age_days=plot.rng.randint(120, 700), active=False)
        plot.good(account_id, GLOBAL, kid, "old but inactive key")

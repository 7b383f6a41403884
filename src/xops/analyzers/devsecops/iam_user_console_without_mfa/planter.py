from xops.sandbox.estate.base import Plot

GLOBAL = "global"


def plant(plot: Plot) -> None:
    for account_id in plot.accounts:
        account = plot.account(account_id)
        for i in range(plot.count(2)):
            plot.bad(account_id, GLOBAL, account.user(f"console-nomfa-{i:02d}", console=True, mfa=False),
                     "console password, no MFA device")
        for i in range(plot.count(2)):
            plot.good(account_id, GLOBAL, account.user(f"console-mfa-{i:02d}", console=True),
                      "console password with MFA")

from xops.sandbox.estate.base import Plot
from xops.sandbox.estate.build import policy

GLOBAL = "global"
FULL_ADMIN = policy({"Effect": "Allow", "Action": "*", "Resource": "*"})
READ_REPORTS = policy({"Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"],
                       "Resource": ["arn:aws:s3:::reports", "arn:aws:s3:::reports/*"]})


def plant(plot: Plot) -> None:
    for account_id in plot.accounts:
        account = plot.account(account_id)
        iam = account.iam
        god_mode = iam.create_policy(PolicyName="god-mode", PolicyDocument=FULL_ADMIN)["Policy"]["Arn"]
        for i in range(plot.count(1)):
            name = account.user(f"admin-aws-{i:02d}")
            iam.attach_user_policy(UserName=name, PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")
            plot.bad(account_id, GLOBAL, name, "AdministratorAccess attached")
            name = account.user(f"admin-inline-{i:02d}")
            iam.put_user_policy(UserName=name, PolicyName="break-glass", PolicyDocument=FULL_ADMIN)
            plot.bad(account_id, GLOBAL, name, "inline Allow * on *")
            name = account.user(f"admin-custom-{i:02d}")
            iam.attach_user_policy(UserName=name, PolicyArn=god_mode)
            plot.bad(account_id, GLOBAL, name, "customer managed policy Allow * on *")
        for i in range(plot.count(2)):
            name = account.user(f"analyst-{i:02d}")
            iam.attach_user_policy(UserName=name, PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess")
            iam.put_user_policy(UserName=name, PolicyName="read-reports", PolicyDocument=READ_REPORTS)
            plot.good(account_id, GLOBAL, name, "ReadOnlyAccess + narrow inline policy")

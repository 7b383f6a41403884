from xops.core.analyzer import Ctx, Fail, Pass, Verdict
from xops.core.checks import each
from xops.resources.iam import CredentialReportRow


# the root user's row: its MFA is a separate (root) check
@each(CredentialReportRow, where=lambda row: bool(row.user) and not row.is_root,
      evidence=("password_enabled", "mfa_active", "password_last_used", "user_creation_time"))
def check(row: CredentialReportRow, p: object, ctx: Ctx) -> Verdict:
    source = {"source": f"IAM credential report generated {row.report_generated}"}
    if row.password_enabled != "true":
        return Pass(f"IAM user {row.user} has no console password", evidence=source)
    if row.mfa_active == "true":
        return Pass(f"IAM user {row.user} signs in to the console with MFA", evidence=source)
    return Fail(f"IAM user {row.user} has a console password and no MFA device", evidence=source)

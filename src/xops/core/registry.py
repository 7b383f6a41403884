"""The analyzer registry: every folder `xops/analyzers/<pillar>/<name>/` is one analyzer.

A folder holds `analyzer.py` (a check kind named `check`, or one `Analyzer` subclass named after the
folder, and an optional `Params` model), `meta.yaml` (its words: title, severity, risk, remediation, cost
impact), `fix.sh` and `fix.tf` (the remediation snippets), `planter.py` (its sandbox resources) and
`test_analyzer.py`. The id is the path (`<pillar>.<name>`); resource type, scope, service and IAM
permissions are derived from what the analyzer reads. The loader refuses a folder whose files, id and
class disagree.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
import threading
from importlib import resources
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from xops.core.analyzer import Analyzer
from xops.core.catalogue import Catalogue
from xops.core.errors import CatalogueError
from xops.core.models import PILLARS, AnalyzerMeta, AnalyzerParams, Remediation, Severity

FOLDER_FILES = ("analyzer.py", "meta.yaml", "fix.sh", "fix.tf")
NAME = re.compile(r"^[a-z][a-z0-9_]*$")


class MetaFile(BaseModel):
    """What `meta.yaml` holds: the analyzer in words. Everything else is derived."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str | None = Field(None, description="Optional; when present it must equal the folder's id")
    title: str = Field(min_length=5)
    severity: Severity
    risk: str = Field(min_length=10)
    remediation: str = Field(min_length=10, description="What to do, in one or two sentences")
    writes: bool = Field(True, description="False when the fix changes nothing in the account")
    cost_impact: str = ""
    featured: bool = False


def class_name(name: str) -> str:
    """`ec2_instance_stopped` -> `Ec2InstanceStopped`."""
    return "".join(part[:1].upper() + part[1:] for part in name.split("_"))


def _analyzer_of(module: Any, name: str) -> Analyzer:
    """The one analyzer a module defines: `check` (a check kind) or the class named after its folder."""
    own = [v for v in vars(module).values() if isinstance(v, type) and issubclass(v, Analyzer)
           and v.__module__ == module.__name__]
    check = getattr(module, "check", None)
    if check is not None and not isinstance(check, Analyzer):
        raise CatalogueError(f"{module.__name__}: `check` must be made by a check kind (each, older_than, setting, "
                        "metric)")
    if check is not None and own:
        raise CatalogueError(f"{module.__name__}: defines both `check` and class {own[0].__name__}; keep one")
    if check is not None:
        return check
    if len(own) != 1:
        raise CatalogueError(f"{module.__name__}: defines no analyzer (a `check` made by a check kind, or one "
                        f"Analyzer subclass named {class_name(name)})" if not own else
                        f"{module.__name__}: defines {len(own)} Analyzer classes; one folder, one analyzer")
    if own[0].__name__ != class_name(name):
        raise CatalogueError(f"{module.__name__}: class {own[0].__name__} does not match its folder {name!r} "
                        f"(expected {class_name(name)})")
    return own[0]()


def _params_of(module: Any, analyzer_id: str) -> type[AnalyzerParams]:
    params = getattr(module, "Params", AnalyzerParams)
    if not (isinstance(params, type) and issubclass(params, AnalyzerParams)):
        raise CatalogueError(f"{analyzer_id}: Params must subclass AnalyzerParams")
    for field_name, field in params.model_fields.items():
        if not field.description:
            raise CatalogueError(f"{analyzer_id}: parameter {field_name!r} has no description")
    return params


def load_folder(pillar: str, name: str) -> Analyzer:
    """Load and check one analyzer folder."""
    analyzer_id = f"{pillar}.{name}"
    if not NAME.match(name):
        raise CatalogueError(f"{analyzer_id}: a folder name is lower_snake_case")
    package = f"xops.analyzers.{pillar}.{name}"
    folder = resources.files(package)
    missing = [f for f in FOLDER_FILES if not folder.joinpath(f).is_file()]
    if missing:
        raise CatalogueError(f"{analyzer_id}: folder lacks {', '.join(missing)}")
    module = importlib.import_module(f"{package}.analyzer")
    analyzer = _analyzer_of(module, name)
    analyzer.Params = _params_of(module, analyzer_id)
    try:
        words = MetaFile.model_validate(yaml.safe_load(folder.joinpath("meta.yaml").read_text()))
    except (ValidationError, yaml.YAMLError) as exc:
        raise CatalogueError(f"{analyzer_id}: meta.yaml: {exc}") from exc
    if words.id is not None and words.id != analyzer_id:
        raise CatalogueError(f"{analyzer_id}: meta.yaml says id {words.id!r}; the id is the folder's path")
    resource_type, scope, service = analyzer.facts()
    if not resource_type or not service:
        raise CatalogueError(f"{analyzer_id}: no resource type/service: set `resource` (or resource_type and service)")
    analyzer.meta = AnalyzerMeta(
        id=analyzer_id, title=words.title, pillar=pillar, severity=words.severity,  # type: ignore[arg-type]
        resource_type=resource_type, permissions=analyzer.permissions(), risk=words.risk,
        remediation=Remediation(summary=words.remediation, writes=words.writes,
                                cli=folder.joinpath("fix.sh").read_text().strip(),
                                terraform=folder.joinpath("fix.tf").read_text().strip()),
        cost_impact=words.cost_impact, scope=scope, service=service, kind=analyzer.kind,
        featured=words.featured,
    )
    return analyzer


def discover() -> list[Analyzer]:
    """Every analyzer folder of every pillar, loaded and checked."""
    found = []
    for pillar in PILLARS:
        package = importlib.import_module(f"xops.analyzers.{pillar}")
        for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
            if info.ispkg:
                found.append(load_folder(pillar, info.name))
    return found


_lock = threading.Lock()
_catalogue: Catalogue | None = None


def catalogue() -> Catalogue:
    """The product's catalogue (loaded once per process)."""
    global _catalogue
    with _lock:
        if _catalogue is None:
            _catalogue = Catalogue(discover())
        return _catalogue


def all_analyzers() -> list[Analyzer]:
    return catalogue().all()


def get(analyzer_id: str) -> Analyzer:
    return catalogue().get(analyzer_id)


def select(analyzer_ids: list[str] | None = None, pillar: str | None = None) -> list[Analyzer]:
    return catalogue().select(ids=analyzer_ids, pillar=pillar)


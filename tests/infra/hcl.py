"""Read a Terraform directory with python-hcl2 into plain Python values for assertions.

python-hcl2 keeps string quotes ('"FARGATE"') and adds `__is_block__`/`__comments__` keys; `load_dir` strips
both, so `resource("aws_ecs_service", "this")["capacity_provider_strategy"]` reads like the HCL does.
Expressions stay as their source text wrapped in `${...}`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import hcl2


def _clean(value: Any) -> Any:
    if isinstance(value, dict):
        return {_clean(k): _clean(v) for k, v in value.items() if k not in ("__is_block__", "__comments__")}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    if isinstance(value, str) and len(value) >= 2 and value[0] == value[-1] == '"':
        return value[1:-1]
    return value


@dataclass
class Module:
    path: Path
    blocks: dict[str, list[dict[str, Any]]]

    def resource(self, rtype: str, name: str) -> dict[str, Any]:
        for block in self.blocks.get("resource", []):
            if rtype in block and name in block[rtype]:
                return block[rtype][name]
        raise AssertionError(f"{self.path}: no resource {rtype}.{name}")

    def resources(self, rtype: str) -> dict[str, dict[str, Any]]:
        return {n: body for block in self.blocks.get("resource", []) for n, body in block.get(rtype, {}).items()}

    def data(self, dtype: str, name: str) -> dict[str, Any]:
        for block in self.blocks.get("data", []):
            if dtype in block and name in block[dtype]:
                return block[dtype][name]
        raise AssertionError(f"{self.path}: no data {dtype}.{name}")

    def module(self, name: str) -> dict[str, Any]:
        for block in self.blocks.get("module", []):
            if name in block:
                return block[name]
        raise AssertionError(f"{self.path}: no module {name}")

    @property
    def variables(self) -> dict[str, dict[str, Any]]:
        return {n: body for block in self.blocks.get("variable", []) for n, body in block.items()}

    @property
    def outputs(self) -> dict[str, dict[str, Any]]:
        return {n: body for block in self.blocks.get("output", []) for n, body in block.items()}

    @property
    def locals(self) -> dict[str, Any]:
        return {k: v for block in self.blocks.get("locals", []) for k, v in block.items()}

    def default(self, variable: str) -> Any:
        return self.variables[variable]["default"]


def load_dir(path: Path) -> Module:
    blocks: dict[str, list[dict[str, Any]]] = {}
    for tf in sorted(path.glob("*.tf")):
        with tf.open() as handle:
            parsed = _clean(hcl2.load(handle))
        for kind, items in parsed.items():
            blocks.setdefault(kind, []).extend(items)
    if not blocks:
        raise AssertionError(f"no Terraform in {path}")
    return Module(path, blocks)

"""Lambda functions."""

from __future__ import annotations

from pydantic import Field

from xops.resources.base import Listing, Resource, Spec
from xops.resources.ops import Op


class Function(Resource):
    spec = Spec(type="AWS::Lambda::Function", noun="Lambda function", id="FunctionName", arn="FunctionArn",
                list=Listing(Op("lambda", "list_functions", "Functions")))

    runtime: str = Field("", alias="Runtime")  # empty for container images
    last_modified: str = Field("", alias="LastModified")
    memory_mb: int | None = Field(None, alias="MemorySize")
    architectures: list[str] = Field(default_factory=list, alias="Architectures")

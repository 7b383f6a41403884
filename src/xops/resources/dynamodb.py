"""DynamoDB tables."""

from __future__ import annotations

from xops.resources.base import Detail, Listing, Resource, Spec
from xops.resources.ops import Op


class Table(Resource):
    spec = Spec(type="AWS::DynamoDB::Table", noun="DynamoDB table", id="TableName",
                arn="arn:{partition}:dynamodb:{region}:{account}:table/{id}",
                list=Listing(Op("dynamodb", "list_tables", "TableNames"), item_key="TableName"),
                details={"continuous_backups": Detail(
                    # TableNotFoundException: deleted since it was listed (None: nothing to judge)
                    Op("dynamodb", "describe_continuous_backups", missing=("TableNotFoundException",)),
                    params=lambda t: {"TableName": t.id},
                    parse=lambda a: a["ContinuousBackupsDescription"])})

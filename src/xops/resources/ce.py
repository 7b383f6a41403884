"""Cost Explorer queries (the payer's bill, by month and service)."""

from __future__ import annotations

from xops.resources.ops import Op

GET_COST_AND_USAGE = Op("ce", "get_cost_and_usage")

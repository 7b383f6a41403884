# What grew: the service's last two full months by usage type
START="$(date -d "$(date +%Y-%m-01) -2 month" +%F)" END="$(date +%Y-%m-01)"
aws ce get-cost-and-usage --time-period "Start=$START,End=$END" --granularity MONTHLY --metrics UnblendedCost --filter '{"Dimensions":{"Key":"SERVICE","Values":["{resource_id}"]}}' --group-by Type=DIMENSION,Key=USAGE_TYPE

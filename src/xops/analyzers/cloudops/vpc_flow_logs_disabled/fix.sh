FLOW_LOGS_ROLE=vpc-flow-logs  # a role that vpc-flow-logs.amazonaws.com can assume, allowed to write to the log group
aws logs create-log-group --region {region} --log-group-name /vpc/flow-logs/{resource_id}
aws logs put-retention-policy --region {region} --log-group-name /vpc/flow-logs/{resource_id} --retention-in-days 90
aws ec2 create-flow-logs --region {region} --resource-type VPC --resource-ids {resource_id} --traffic-type ALL --log-group-name /vpc/flow-logs/{resource_id} --deliver-logs-permission-arn "arn:aws:iam::{account_id}:role/$FLOW_LOGS_ROLE"

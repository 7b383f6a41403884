# Set the instance's real values first:
OWNER=team-name COST_CENTRE=CC-0000 ENVIRONMENT=prod
aws ec2 create-tags --region {region} --resources {resource_id} --tags "Key=Owner,Value=$OWNER" "Key=CostCentre,Value=$COST_CENTRE" "Key=Environment,Value=$ENVIRONMENT"

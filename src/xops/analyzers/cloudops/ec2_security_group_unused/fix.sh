aws ec2 describe-security-groups --region {region} --filters Name=ip-permission.group-id,Values={resource_id} --query 'SecurityGroups[].GroupId'
aws ec2 delete-security-group --region {region} --group-id {resource_id}

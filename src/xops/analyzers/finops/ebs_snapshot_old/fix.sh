aws ec2 delete-snapshot --region {region} --snapshot-id {resource_id}

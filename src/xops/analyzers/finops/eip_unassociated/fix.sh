aws ec2 release-address --region {region} --allocation-id {resource_id}

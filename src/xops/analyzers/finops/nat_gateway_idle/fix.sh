aws ec2 delete-nat-gateway --region {region} --nat-gateway-id {resource_id}

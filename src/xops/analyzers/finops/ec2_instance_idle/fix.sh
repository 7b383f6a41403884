aws ec2 stop-instances --region {region} --instance-ids {resource_id}

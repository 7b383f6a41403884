aws ec2 stop-instances --region {region} --instance-ids {resource_id}
aws ec2 wait instance-stopped --region {region} --instance-ids {resource_id}
aws ec2 modify-instance-attribute --region {region} --instance-id {resource_id} --instance-type '{"Value": "m5.large"}'  # the suggested successor
aws ec2 start-instances --region {region} --instance-ids {resource_id}

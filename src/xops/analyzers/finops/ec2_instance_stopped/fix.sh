aws ec2 create-image --region {region} --instance-id {resource_id} --name xops-{resource_id}-backup
aws ec2 terminate-instances --region {region} --instance-ids {resource_id}

aws ec2 modify-volume --region {region} --volume-id {resource_id} --volume-type gp3

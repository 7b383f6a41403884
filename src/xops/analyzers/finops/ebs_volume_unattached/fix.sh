aws ec2 create-snapshot --region {region} --volume-id {resource_id} --description 'xops: before delete'
aws ec2 delete-volume --region {region} --volume-id {resource_id}

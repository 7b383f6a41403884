SNAP=$(aws ec2 create-snapshot --region {region} --volume-id {resource_id} --query SnapshotId --output text)
aws ec2 wait snapshot-completed --region {region} --snapshot-ids $SNAP
aws ec2 copy-snapshot --region {region} --source-region {region} --source-snapshot-id $SNAP --encrypted
# then create-volume --snapshot-id <encrypted copy>, stop the instance and swap the volumes

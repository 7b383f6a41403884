aws ec2 modify-instance-metadata-options --region {region} --instance-id {resource_id} --http-tokens required --http-endpoint enabled

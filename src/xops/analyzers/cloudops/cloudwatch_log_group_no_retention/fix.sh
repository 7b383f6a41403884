aws logs put-retention-policy --region {region} --log-group-name {resource_id} --retention-in-days 90

aws rds modify-db-instance --region {region} --db-instance-identifier {resource_id} --no-publicly-accessible --apply-immediately

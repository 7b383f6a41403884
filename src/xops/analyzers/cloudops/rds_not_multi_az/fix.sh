aws rds modify-db-instance --region {region} --db-instance-identifier {resource_id} --multi-az --apply-immediately

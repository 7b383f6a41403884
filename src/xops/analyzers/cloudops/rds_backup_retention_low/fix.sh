aws rds modify-db-instance --region {region} --db-instance-identifier {resource_id} --backup-retention-period 7 --apply-immediately

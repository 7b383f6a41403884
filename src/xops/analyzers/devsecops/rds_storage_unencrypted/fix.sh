aws rds create-db-snapshot --region {region} --db-instance-identifier {resource_id} --db-snapshot-identifier {resource_id}-plain
aws rds copy-db-snapshot --region {region} --source-db-snapshot-identifier {resource_id}-plain --target-db-snapshot-identifier {resource_id}-encrypted --kms-key-id alias/aws/rds
aws rds restore-db-instance-from-db-snapshot --region {region} --db-instance-identifier {resource_id}-enc --db-snapshot-identifier {resource_id}-encrypted

aws dynamodb update-continuous-backups --region {region} --table-name {resource_id} --point-in-time-recovery-specification PointInTimeRecoveryEnabled=true

aws cloudwatch enable-alarm-actions --region {region} --alarm-names {resource_id}
# and add an action: re-run put-metric-alarm with --alarm-actions arn:aws:sns:{region}:ACCOUNT:TOPIC

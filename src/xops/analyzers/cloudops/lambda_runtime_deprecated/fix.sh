aws lambda update-function-configuration --region {region} --function-name {resource_id} --runtime python3.13

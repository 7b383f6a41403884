aws s3api put-bucket-versioning --region {region} --bucket {resource_id} --versioning-configuration Status=Enabled

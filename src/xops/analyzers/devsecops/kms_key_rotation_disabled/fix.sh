aws kms enable-key-rotation --region {region} --key-id {resource_id}

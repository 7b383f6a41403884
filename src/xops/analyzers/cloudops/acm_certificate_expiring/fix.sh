aws acm describe-certificate --region {region} --certificate-arn {resource_id} --query 'Certificate.[NotAfter,RenewalSummary,InUseBy]'
aws acm import-certificate --region {region} --certificate-arn {resource_id} --certificate fileb://cert.pem --private-key fileb://key.pem --certificate-chain fileb://chain.pem

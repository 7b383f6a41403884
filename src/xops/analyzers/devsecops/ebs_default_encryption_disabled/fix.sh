aws ec2 enable-ebs-encryption-by-default --region {region}

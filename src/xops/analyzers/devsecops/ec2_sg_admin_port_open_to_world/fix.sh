aws ec2 revoke-security-group-ingress --region {region} --group-id {resource_id} --ip-permissions 'IpProtocol=tcp,FromPort=22,ToPort=22,IpRanges=[{CidrIp=0.0.0.0/0}]'
aws ec2 authorize-security-group-ingress --region {region} --group-id {resource_id} --protocol tcp --port 22 --cidr 10.0.0.0/8

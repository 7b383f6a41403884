aws iam detach-user-policy --user-name {resource_id} --policy-arn arn:aws:iam::aws:policy/AdministratorAccess
aws iam list-user-policies --user-name {resource_id}  # then: aws iam delete-user-policy --user-name {resource_id} --policy-name <name>

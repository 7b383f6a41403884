USER=$(aws iam get-access-key-last-used --access-key-id {resource_id} --query UserName --output text)
aws iam create-access-key --user-name "$USER"
aws iam update-access-key --user-name "$USER" --access-key-id {resource_id} --status Inactive
aws iam delete-access-key --user-name "$USER" --access-key-id {resource_id}

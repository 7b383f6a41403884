output "sso_instance_arn" {
  description = "IAM Identity Center instance ARN."
  value       = local.sso_instance_arn
}

output "identity_store_id" {
  description = "Identity store id (`xops identity sync` reads users and groups from it)."
  value       = local.identity_store_id
}

output "sso_groups_ids" {
  description = "Group id per group name."
  value       = { for name, g in aws_identitystore_group.this : name => g.group_id }
}

output "permission_set_arns" {
  description = "Permission set ARN per name."
  value       = { for name, ps in aws_ssoadmin_permission_set.this : name => ps.arn }
}

output "url" {
  description = "Open WebUI's public URL."
  value       = module.edge.url
}

output "sso_instance_arn" {
  description = "IAM Identity Center instance (M1)."
  value       = module.identity.sso_instance_arn
}

output "identity_store_id" {
  description = "Identity store id for `xops identity sync`."
  value       = module.identity.identity_store_id
}

output "sso_groups_ids" {
  description = "IdC group ids."
  value       = module.identity.sso_groups_ids
}

output "cluster_arn" {
  description = "ECS cluster (M2)."
  value       = module.ecs.cluster_arn
}

output "task_exec_iam_role_arn" {
  description = "ECS task execution role (M2)."
  value       = module.ecs.task_exec_iam_role_arn
}

output "log_group_arn" {
  description = "Service logs (M2)."
  value       = module.ecs.log_group_arn
}

output "analyzer_role_arns" {
  description = "Task roles the member accounts' xops-readonly role must trust."
  value       = module.ecs.analyzer_role_arns
}

output "efs_file_system_id" {
  description = "EFS file system (M4)."
  value       = module.efs.file_system_id
}

output "secret_arns" {
  description = "Service secrets to fill before the first deploy."
  value       = module.edge.secret_arns
}

output "cluster_arn" {
  description = "ECS cluster ARN."
  value       = aws_ecs_cluster.this.arn
}

output "cluster_name" {
  description = "ECS cluster name."
  value       = aws_ecs_cluster.this.name
}

output "task_exec_iam_role_arn" {
  description = "Task execution role (image pull, logs, secrets)."
  value       = aws_iam_role.execution.arn
}

output "log_group_arn" {
  description = "CloudWatch log group of every service and of Service Connect."
  value       = aws_cloudwatch_log_group.this.arn
}

output "task_role_arns" {
  description = "Task role ARN per service; the analyzer services' roles are the principals member accounts' xops-readonly role must trust."
  value       = { for name, role in aws_iam_role.task : name => role.arn }
}

output "analyzer_role_arns" {
  description = "Task roles that carry the generated read-only analyzer policy."
  value       = [for name in local.analyzer_services : aws_iam_role.task[name].arn]
}

output "analyzer_policy_arns" {
  description = "The generated read-only analyzer policy (one ARN per policy file)."
  value       = [for f in sort(local.analyzer_policies) : aws_iam_policy.analyzer[f].arn]
}

output "service_security_group_id" {
  description = "Security group of the services (efs module input client_security_group_ids)."
  value       = aws_security_group.services.id
}

output "service_names" {
  description = "ECS service names."
  value       = sort([for s in aws_ecs_service.this : s.name])
}

output "service_connect_namespace_arn" {
  description = "Cloud Map HTTP namespace of Service Connect."
  value       = aws_service_discovery_http_namespace.this.arn
}

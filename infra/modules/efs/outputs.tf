output "file_system_id" {
  description = "EFS file system id (ecs module input efs_file_system_id)."
  value       = aws_efs_file_system.this.id
}

output "file_system_arn" {
  description = "EFS file system ARN (for task role ClientMount/ClientWrite grants)."
  value       = aws_efs_file_system.this.arn
}

output "access_point_ids" {
  description = "Access point id per name: sqlite, chroma, evidence (ecs module input efs_access_point_ids)."
  value       = { for k, ap in aws_efs_access_point.this : k => ap.id }
}

output "access_point_arns" {
  description = "Access point ARN per name."
  value       = { for k, ap in aws_efs_access_point.this : k => ap.arn }
}

output "security_group_id" {
  description = "Security group of the mount targets (ecs module input efs_security_group_id)."
  value       = aws_security_group.efs.id
}

output "kms_key_arn" {
  description = "KMS key encrypting the file system and its backups."
  value       = aws_kms_key.efs.arn
}

output "backup_vault_arn" {
  description = "AWS Backup vault holding the daily recovery points."
  value       = aws_backup_vault.this.arn
}

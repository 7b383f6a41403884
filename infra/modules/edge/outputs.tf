output "url" {
  description = "Public URL of Open WebUI."
  value       = "https://${var.domain_name}"
}

output "cloudfront_distribution_id" {
  description = "CloudFront distribution id (for invalidations)."
  value       = aws_cloudfront_distribution.this.id
}

output "cloudfront_domain_name" {
  description = "CloudFront domain name the Route53 records alias."
  value       = aws_cloudfront_distribution.this.domain_name
}

output "web_acl_arn" {
  description = "WAFv2 web ACL on the distribution."
  value       = aws_wafv2_web_acl.this.arn
}

output "alb_arn" {
  description = "ALB ARN."
  value       = aws_lb.this.arn
}

output "alb_dns_name" {
  description = "ALB DNS name (origin.<domain_name> aliases it)."
  value       = aws_lb.this.dns_name
}

output "alb_security_group_id" {
  description = "ALB security group (ecs module input alb_security_group_id)."
  value       = aws_security_group.alb.id
}

output "target_group_arn" {
  description = "Open WebUI target group (ecs module input alb_target_group_arn)."
  value       = aws_lb_target_group.open_webui.arn
}

output "certificate_arns" {
  description = "ACM certificates: cdn (us-east-1, CloudFront) and origin (regional, ALB)."
  value       = { cdn = aws_acm_certificate.cdn.arn, origin = aws_acm_certificate.origin.arn }
}

output "secret_arns" {
  description = "Secrets Manager ARN per service credential (ecs module input secret_arns)."
  value       = { for name, s in aws_secretsmanager_secret.service : name => s.arn }
}

output "secrets_kms_key_arn" {
  description = "KMS key of the service secrets (ecs module input secrets_kms_key_arn)."
  value       = aws_kms_key.secrets.arn
}

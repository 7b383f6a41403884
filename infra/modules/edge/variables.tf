variable "name_prefix" {
  description = "Prefix of every resource name, e.g. xops-prod."
  type        = string
}

variable "domain_name" {
  description = "Public name of Open WebUI, e.g. xops.example.com; the ALB is reached by CloudFront as origin.<domain_name>."
  type        = string
}

variable "hosted_zone_id" {
  description = "Route53 public hosted zone that holds domain_name (records and ACM DNS validation go here)."
  type        = string
}

variable "vpc_id" {
  description = "VPC of the ALB and the services."
  type        = string
}

variable "public_subnet_ids" {
  description = "Public subnets (two or more AZs) of the ALB."
  type        = list(string)
}

variable "access_logs_bucket" {
  description = "Existing S3 bucket (e.g. the landing zone's log archive) that receives ALB and CloudFront access logs; it must allow the ELB log delivery and CloudFront log delivery principals."
  type        = string
}

variable "geo_allowed_countries" {
  description = "ISO country codes CloudFront serves (geo allowlist)."
  type        = list(string)
  default     = ["AU", "NZ"]
}

variable "auth_path_prefix" {
  description = "Open WebUI's authentication API: account-takeover protection and the login rate limit apply under it."
  type        = string
  default     = "/api/v1/auths/"
}

variable "login_path" {
  description = "Open WebUI's sign-in endpoint (JSON body with email and password) inspected by the ATP rule group."
  type        = string
  default     = "/api/v1/auths/signin"
}

variable "login_rate_limit" {
  description = "Requests per 5 minutes per IP allowed on the auth paths."
  type        = number
  default     = 300
}

variable "service_secrets" {
  description = "Service credentials kept in Secrets Manager and rotated every rotation_days (ecs module input secret_arns)."
  type        = list(string)
  default     = ["webui-secret-key", "scim-token", "pipelines-api-key", "mcp-token", "mcpo-api-key", "anthropic-api-key"]
}

variable "rotation_lambda_arn" {
  description = "Lambda that rotates the service secrets (Secrets Manager rotation function; one for generic secrets, see README)."
  type        = string
}

variable "rotation_days" {
  description = "Days between automatic rotations of every service secret."
  type        = number
  default     = 90
}

variable "alb_deletion_protection" {
  description = "Protect the ALB from deletion (turn off only to destroy an environment)."
  type        = bool
  default     = true
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}

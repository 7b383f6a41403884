variable "name_prefix" {
  description = "Prefix of every resource name, e.g. xops-prod."
  type        = string
}

variable "vpc_id" {
  description = "VPC of the services."
  type        = string
}

variable "subnet_ids" {
  description = "Private subnets of the tasks (no public IPs; egress through NAT or VPC endpoints)."
  type        = list(string)
}

variable "images" {
  description = "Container image per service (arm64 or multi-arch): open-webui, runbooks-api, pipelines, mcp, mcpo, crew-worker. Mirror them in ECR for production."
  type        = map(string)
  validation {
    condition     = length(setsubtract(["open-webui", "runbooks-api", "pipelines", "mcp", "mcpo", "crew-worker"], keys(var.images))) == 0
    error_message = "images needs an image for each of open-webui, runbooks-api, pipelines, mcp, mcpo and crew-worker."
  }
}

variable "services" {
  description = "Size and scaling per service: task cpu/memory (Fargate units), replicas min..max, the average CPU % the service scales to, and whether it runs on Fargate Spot (3:1 with on-demand)."
  type = map(object({
    cpu        = number
    memory     = number
    min        = number
    max        = number
    cpu_target = number
    spot       = bool
  }))
  default = {
    "open-webui"   = { cpu = 2048, memory = 4096, min = 2, max = 6, cpu_target = 70, spot = false }
    "runbooks-api" = { cpu = 1024, memory = 2048, min = 2, max = 8, cpu_target = 60, spot = false }
    "pipelines"    = { cpu = 512, memory = 1024, min = 1, max = 2, cpu_target = 70, spot = false }
    "mcp"          = { cpu = 512, memory = 1024, min = 1, max = 2, cpu_target = 70, spot = false }
    "mcpo"         = { cpu = 512, memory = 1024, min = 1, max = 2, cpu_target = 70, spot = false }
    "crew-worker"  = { cpu = 1024, memory = 2048, min = 1, max = 4, cpu_target = 60, spot = true }
  }
}

variable "crew_worker_command" {
  description = "Command of the CrewAI worker (runbooks image); it checkpoints to EFS on SIGTERM within stopTimeout."
  type        = list(string)
  default     = ["crews", "worker"]
}

variable "alb_target_group_arn" {
  description = "ALB target group of Open WebUI (edge module output target_group_arn)."
  type        = string
}

variable "alb_security_group_id" {
  description = "Security group of the ALB (edge module output alb_security_group_id): the only source allowed to reach Open WebUI."
  type        = string
}

variable "efs_file_system_id" {
  description = "EFS file system id (efs module output file_system_id)."
  type        = string
}

variable "efs_file_system_arn" {
  description = "EFS file system ARN (efs module output file_system_arn)."
  type        = string
}

variable "efs_access_point_ids" {
  description = "EFS access point ids: sqlite, chroma, evidence (efs module output access_point_ids)."
  type        = map(string)
}

variable "efs_security_group_id" {
  description = "Security group of the EFS mount targets (efs module output security_group_id)."
  type        = string
}

variable "secret_arns" {
  description = "Secrets Manager ARN per credential (edge module output secret_arns): webui-secret-key, scim-token, pipelines-api-key, mcp-token, mcpo-api-key, anthropic-api-key."
  type        = map(string)
}

variable "secrets_kms_key_arn" {
  description = "KMS key of those secrets (edge module output secrets_kms_key_arn); the task execution role may decrypt with it."
  type        = string
}

variable "member_role_name" {
  description = "Read-only role the analyzers assume in member accounts (the generated policy grants sts:AssumeRole on exactly this name)."
  type        = string
  default     = "xops-readonly"
}

variable "scan_regions" {
  description = "Regions the analyzers scan (XOPS_REGIONS)."
  type        = list(string)
  default     = ["ap-southeast-2"]
}

variable "log_retention_days" {
  description = "Days the service logs are kept."
  type        = number
  default     = 365
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}

variable "name_prefix" {
  description = "Prefix of every resource name, e.g. xops-prod."
  type        = string
}

variable "vpc_id" {
  description = "VPC of the ECS tasks that mount the file system."
  type        = string
}

variable "subnet_ids" {
  description = "Private subnets (one per AZ) that get a mount target."
  type        = list(string)
}

variable "client_security_group_ids" {
  description = "Security groups allowed to mount the file system on NFS (2049): the ECS services' group (ecs module output service_security_group_id)."
  type        = list(string)
}

variable "access_points" {
  description = "Access points: each confines its clients to one directory as one POSIX user. SQLite = Open WebUI's data dir, chroma = CrewAI Knowledge, evidence = xOps evidence (XOPS_DATA_DIR)."
  type = map(object({
    path = string
    uid  = number
    gid  = number
  }))
  default = {
    sqlite   = { path = "/open-webui", uid = 1000, gid = 1000 }
    chroma   = { path = "/chroma", uid = 10001, gid = 10001 }
    evidence = { path = "/evidence", uid = 10001, gid = 10001 }
  }
}

variable "backup_schedule" {
  description = "AWS Backup cron schedule (UTC)."
  type        = string
  default     = "cron(0 15 * * ? *)"
}

variable "backup_retention_days" {
  description = "Days a backup recovery point is kept."
  type        = number
  default     = 35
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}

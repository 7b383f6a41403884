# Development: the same modules, one task per service (Spot for the crew workers still 3:1), smaller
# tasks, and an ALB that can be destroyed.

locals {
  name_prefix = "xops-dev"
  tags        = { Project = "xops", Environment = "dev", ManagedBy = "terraform" }
}

provider "aws" {
  region = var.region
  default_tags {
    tags = local.tags
  }
}

provider "aws" {
  alias  = "us_east_1"
  region = "us-east-1"
  default_tags {
    tags = local.tags
  }
}

module "identity" {
  source               = "../../modules/identity"
  name_prefix          = "xops-dev"
  analyzer_policy_json = file("${path.module}/../../modules/ecs/policies/analyzer-readonly.json")
  assignments          = var.assignments
}

module "edge" {
  #checkov:skip=CKV_AWS_150:dev is destroyed and rebuilt from this code; prod keeps the ALB deletion protection (module default)
  source              = "../../modules/edge"
  name_prefix         = local.name_prefix
  domain_name         = var.domain_name
  hosted_zone_id      = var.hosted_zone_id
  vpc_id              = var.vpc_id
  public_subnet_ids   = var.public_subnet_ids
  access_logs_bucket  = var.access_logs_bucket
  rotation_lambda_arn = var.rotation_lambda_arn
  # dev is torn down and rebuilt: no deletion protection.
  alb_deletion_protection = false
  tags                    = local.tags
  providers = {
    aws           = aws
    aws.us_east_1 = aws.us_east_1
  }
}

module "efs" {
  source                    = "../../modules/efs"
  name_prefix               = local.name_prefix
  vpc_id                    = var.vpc_id
  subnet_ids                = var.private_subnet_ids
  client_security_group_ids = [module.ecs.service_security_group_id]
  tags                      = local.tags
}

module "ecs" {
  source                = "../../modules/ecs"
  name_prefix           = local.name_prefix
  vpc_id                = var.vpc_id
  subnet_ids            = var.private_subnet_ids
  images                = var.images
  scan_regions          = var.scan_regions
  alb_target_group_arn  = module.edge.target_group_arn
  alb_security_group_id = module.edge.alb_security_group_id
  efs_file_system_id    = module.efs.file_system_id
  efs_file_system_arn   = module.efs.file_system_arn
  efs_access_point_ids  = module.efs.access_point_ids
  efs_security_group_id = module.efs.security_group_id
  secret_arns           = module.edge.secret_arns
  secrets_kms_key_arn   = module.edge.secrets_kms_key_arn
  log_retention_days    = 365
  services = {
    "open-webui"   = { cpu = 1024, memory = 2048, min = 1, max = 2, cpu_target = 70, spot = false }
    "runbooks-api" = { cpu = 512, memory = 1024, min = 1, max = 2, cpu_target = 60, spot = false }
    "pipelines"    = { cpu = 256, memory = 512, min = 1, max = 1, cpu_target = 70, spot = false }
    "mcp"          = { cpu = 256, memory = 512, min = 1, max = 1, cpu_target = 70, spot = false }
    "mcpo"         = { cpu = 256, memory = 512, min = 1, max = 1, cpu_target = 70, spot = false }
    "crew-worker"  = { cpu = 512, memory = 1024, min = 1, max = 2, cpu_target = 60, spot = true }
  }
  tags = local.tags
}

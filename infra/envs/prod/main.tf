# Production: the spec's sizes (module defaults): Open WebUI 2-6 tasks at 70% CPU, runbooks API 2-8 at
# 60%, crew workers on Fargate Spot 3:1.

locals {
  name_prefix = "xops-prod"
  tags        = { Project = "xops", Environment = "prod", ManagedBy = "terraform" }
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
  name_prefix          = "xops"
  analyzer_policy_json = file("${path.module}/../../modules/ecs/policies/analyzer-readonly.json")
  assignments          = var.assignments
}

module "edge" {
  source              = "../../modules/edge"
  name_prefix         = local.name_prefix
  domain_name         = var.domain_name
  hosted_zone_id      = var.hosted_zone_id
  vpc_id              = var.vpc_id
  public_subnet_ids   = var.public_subnet_ids
  access_logs_bucket  = var.access_logs_bucket
  rotation_lambda_arn = var.rotation_lambda_arn
  tags                = local.tags
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
  tags                  = local.tags
}

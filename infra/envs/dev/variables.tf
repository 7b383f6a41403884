variable "region" {
  description = "Home region of the stack."
  type        = string
  default     = "ap-southeast-2"
}

variable "domain_name" {
  description = "Public name of Open WebUI."
  type        = string
}

variable "hosted_zone_id" {
  description = "Route53 public hosted zone of domain_name."
  type        = string
}

variable "vpc_id" {
  description = "Existing VPC (landing zone) of the stack."
  type        = string
}

variable "public_subnet_ids" {
  description = "Public subnets of the ALB (two or more AZs)."
  type        = list(string)
}

variable "private_subnet_ids" {
  description = "Private subnets of the tasks and EFS mount targets (two or more AZs)."
  type        = list(string)
}

variable "access_logs_bucket" {
  description = "S3 bucket receiving ALB and CloudFront access logs."
  type        = string
}

variable "rotation_lambda_arn" {
  description = "Secrets Manager rotation Lambda for the service secrets."
  type        = string
}

variable "images" {
  description = "Image per service (ECR URIs of the multi-arch images built from this repository, plus Open WebUI)."
  type        = map(string)
}

variable "scan_regions" {
  description = "Regions the analyzers scan."
  type        = list(string)
  default     = ["ap-southeast-2"]
}

variable "assignments" {
  description = "IdC group -> permission set -> account assignments."
  type = list(object({
    group          = string
    permission_set = string
    account_id     = string
  }))
  default = []
}

terraform {
  required_version = ">= 1.11"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 6.0, < 7.0"
    }
    random = {
      source  = "hashicorp/random"
      version = ">= 3.6, < 4.0"
    }
  }
  # State in S3 with native locking; bucket, key and region come from `terraform init -backend-config=...`.
  backend "s3" {
    use_lockfile = true
    encrypt      = true
  }
}

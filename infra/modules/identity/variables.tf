variable "name_prefix" {
  description = "Prefix of permission set and group names, e.g. xops."
  type        = string
}

variable "groups" {
  description = "IAM Identity Center groups (name => description). Open WebUI receives them through `xops identity sync`."
  type        = map(string)
  default = {
    "xops-admins"    = "Administer xOps and Open WebUI"
    "xops-finops"    = "FinOps analysts: cost findings of their cost centre"
    "xops-cloudops"  = "Cloud operations: reliability findings and runbooks"
    "xops-devsecops" = "Security: DevSecOps findings and evidence"
    "xops-readers"   = "Read-only access to reports"
  }
}

variable "permission_sets" {
  description = "Permission sets: session length (ISO 8601), AWS managed policies, and whether the generated xOps analyzer policy is attached inline."
  type = map(object({
    description      = string
    session_duration = string
    managed_policies = list(string)
    analyzer_policy  = bool
  }))
  default = {
    "XopsAdmin" = {
      description      = "xOps platform administrators (ECS, logs, secrets of the xOps account)"
      session_duration = "PT4H"
      managed_policies = ["arn:aws:iam::aws:policy/PowerUserAccess"]
      analyzer_policy  = false
    }
    "XopsAnalyst" = {
      description      = "Run the xOps analyzers by hand: exactly their read-only actions"
      session_duration = "PT8H"
      managed_policies = []
      analyzer_policy  = true
    }
    "XopsAuditor" = {
      description      = "Auditors: read evidence and configuration"
      session_duration = "PT8H"
      managed_policies = ["arn:aws:iam::aws:policy/SecurityAudit"]
      analyzer_policy  = false
    }
  }
}

variable "analyzer_policy_json" {
  description = "The generated analyzer policy document (infra/modules/ecs/policies/analyzer-readonly.json), attached inline to permission sets with analyzer_policy = true."
  type        = string
}

variable "assignments" {
  description = "Which group gets which permission set in which account."
  type = list(object({
    group          = string
    permission_set = string
    account_id     = string
  }))
  default = []
}

variable "cost_centre_attribute" {
  description = "ABAC: session tag name => IdC user attribute path. The cost centre tag scopes FinOps access (aws:PrincipalTag/CostCenter)."
  type        = map(string)
  default = {
    CostCenter = "$${path:enterprise.costCenter}"
  }
}

variable "tags" {
  description = "Tags added to the permission sets."
  type        = map(string)
  default     = {}
}

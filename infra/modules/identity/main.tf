# M1: identity. IAM Identity Center groups and permission sets for xOps, the cost-centre attribute for
# ABAC, and account assignments. Users come from the IdP over SCIM; Open WebUI gets them from IdC with
# `xops identity sync`. MFA is an IdC instance setting (see README): no Terraform resource manages it.

data "aws_ssoadmin_instances" "this" {}

locals {
  sso_instance_arn  = tolist(data.aws_ssoadmin_instances.this.arns)[0]
  identity_store_id = tolist(data.aws_ssoadmin_instances.this.identity_store_ids)[0]
}

resource "aws_identitystore_group" "this" {
  for_each          = var.groups
  identity_store_id = local.identity_store_id
  display_name      = each.key
  description       = each.value
}

resource "aws_ssoadmin_permission_set" "this" {
  for_each         = var.permission_sets
  name             = each.key
  description      = each.value.description
  instance_arn     = local.sso_instance_arn
  session_duration = each.value.session_duration
  tags             = var.tags
}

resource "aws_ssoadmin_managed_policy_attachment" "this" {
  for_each = {
    for pair in flatten([for ps, cfg in var.permission_sets : [for arn in cfg.managed_policies : { ps = ps, arn = arn }]]) :
    "${pair.ps}/${pair.arn}" => pair
  }
  instance_arn       = local.sso_instance_arn
  permission_set_arn = aws_ssoadmin_permission_set.this[each.value.ps].arn
  managed_policy_arn = each.value.arn
}

resource "aws_ssoadmin_permission_set_inline_policy" "analyzer" {
  for_each           = { for ps, cfg in var.permission_sets : ps => cfg if cfg.analyzer_policy }
  instance_arn       = local.sso_instance_arn
  permission_set_arn = aws_ssoadmin_permission_set.this[each.key].arn
  inline_policy      = var.analyzer_policy_json
}

# ABAC: the user's cost centre becomes the session tag CostCenter, which FinOps policies and the xOps
# pipelines read (aws:PrincipalTag/CostCenter) to scope cost data to the user's own cost centre.
resource "aws_ssoadmin_instance_access_control_attributes" "this" {
  instance_arn = local.sso_instance_arn
  dynamic "attribute" {
    for_each = var.cost_centre_attribute
    content {
      key = attribute.key
      value {
        source = [attribute.value]
      }
    }
  }
}

resource "aws_ssoadmin_account_assignment" "this" {
  for_each           = { for a in var.assignments : "${a.group}/${a.permission_set}/${a.account_id}" => a }
  instance_arn       = local.sso_instance_arn
  permission_set_arn = aws_ssoadmin_permission_set.this[each.value.permission_set].arn
  principal_id       = aws_identitystore_group.this[each.value.group].group_id
  principal_type     = "GROUP"
  target_id          = each.value.account_id
  target_type        = "AWS_ACCOUNT"
}

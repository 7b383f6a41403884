# M2: the compute layer. One ECS cluster on Fargate Graviton (ARM64) running the six xOps services, a
# Service Connect mesh between them, CPU target tracking per service, Fargate Spot 3:1 for the crew
# workers, a 120 s stop timeout for the SIGTERM drain (crews checkpoint to EFS), and one least-privilege
# task role per service: only the services that run analyzers get the generated read-only policy.

data "aws_caller_identity" "current" {}

data "aws_region" "current" {}

locals {
  region       = data.aws_region.current.region
  account_id   = data.aws_caller_identity.current.account_id
  python_probe = "import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=4)"
  xops_env = {
    XOPS_DATA_DIR    = "/data"
    XOPS_ASSUME_ROLE = var.member_role_name
    XOPS_REGIONS     = join(",", var.scan_regions)
    AWS_REGION       = local.region
  }

  # What runs in each service. mounts: EFS access point name => path in the container.
  containers = {
    "open-webui" = {
      port           = 8080
      command        = null
      health         = ["CMD-SHELL", "curl -fsS http://127.0.0.1:8080/health || exit 1"]
      mounts         = { sqlite = "/app/backend/data" }
      read_only_root = false
      analyzer       = false
      environment = {
        ENABLE_SCIM                      = "true"
        SCIM_AUTH_PROVIDER               = "iam-identity-center"
        ENABLE_FORWARD_USER_INFO_HEADERS = "true"
        ENABLE_OLLAMA_API                = "false"
        ENABLE_VERSION_UPDATE_CHECK      = "false"
        OPENAI_API_BASE_URL              = "http://pipelines:9099"
        ENABLE_WEBSOCKET_SUPPORT         = "true"
      }
      secrets = { WEBUI_SECRET_KEY = "webui-secret-key", SCIM_TOKEN = "scim-token", OPENAI_API_KEY = "pipelines-api-key" }
    }
    "runbooks-api" = {
      port           = 8700
      command        = ["api", "serve", "--host", "0.0.0.0", "--port", "8700"]
      health         = ["CMD", "python", "-c", local.python_probe, "http://127.0.0.1:8700/healthz"]
      mounts         = { evidence = "/data", chroma = "/chroma" }
      read_only_root = true
      analyzer       = true
      environment    = merge(local.xops_env, { CREWAI_STORAGE_DIR = "/chroma" })
      secrets        = { ANTHROPIC_API_KEY = "anthropic-api-key" }
    }
    "pipelines" = {
      port           = 9099
      command        = null
      health         = ["CMD", "python", "-c", local.python_probe, "http://127.0.0.1:9099/"]
      mounts         = {}
      read_only_root = false
      analyzer       = false
      environment    = { XOPS_API_URL = "http://runbooks-api:8700" }
      secrets        = { PIPELINES_API_KEY = "pipelines-api-key" }
    }
    "mcp" = {
      port           = 8900
      command        = ["mcp", "serve", "xops", "--transport", "http", "--host", "0.0.0.0", "--port", "8900"]
      health         = ["CMD", "python", "-c", local.python_probe, "http://127.0.0.1:8900/health"]
      mounts         = { evidence = "/data" }
      read_only_root = true
      analyzer       = true
      environment    = local.xops_env
      secrets        = { XOPS_MCP_TOKEN = "mcp-token" }
    }
    "mcpo" = {
      port           = 8800
      command        = ["mcpo", "serve", "--host", "0.0.0.0", "--port", "8800"]
      health         = ["CMD", "python", "-c", local.python_probe, "http://127.0.0.1:8800/docs"]
      mounts         = { evidence = "/data" }
      read_only_root = true
      analyzer       = true
      environment    = local.xops_env
      secrets        = { XOPS_MCPO_API_KEY = "mcpo-api-key" }
    }
    "crew-worker" = {
      port           = null
      command        = var.crew_worker_command
      health         = null
      mounts         = { evidence = "/data", chroma = "/chroma" }
      read_only_root = true
      analyzer       = true
      environment    = merge(local.xops_env, { CREWAI_STORAGE_DIR = "/chroma" })
      secrets        = { ANTHROPIC_API_KEY = "anthropic-api-key" }
    }
  }
  analyzer_services = sort([for name, c in local.containers : name if c.analyzer])
  analyzer_policies = fileset("${path.module}/policies", "analyzer-readonly*.json")
  service_ports     = toset([for c in local.containers : tostring(c.port) if c.port != null])

  on_demand = [{ capacity_provider = "FARGATE", weight = 1 }]
  # Crew workers are asynchronous and checkpoint on SIGTERM: three Spot tasks for each on-demand one.
  spot_3_to_1 = [{ capacity_provider = "FARGATE_SPOT", weight = 3 }, { capacity_provider = "FARGATE", weight = 1 }]
}

# --- logs ---------------------------------------------------------------------------------------------
data "aws_iam_policy_document" "logs_kms" {
  #checkov:skip=CKV_AWS_111:KMS key policy: Resource "*" in a key policy means this key only
  #checkov:skip=CKV_AWS_356:KMS key policy: Resource "*" in a key policy means this key only
  #checkov:skip=CKV_AWS_109:KMS key policy: the account root administers its own key (AWS default key policy)
  statement {
    sid       = "AccountAdministers"
    actions   = ["kms:*"]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::${local.account_id}:root"]
    }
  }
  statement {
    sid       = "CloudWatchLogsUseTheKey"
    actions   = ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"]
    resources = ["*"]
    principals {
      type        = "Service"
      identifiers = ["logs.${local.region}.amazonaws.com"]
    }
    condition {
      test     = "ArnLike"
      variable = "kms:EncryptionContext:aws:logs:arn"
      values   = ["arn:aws:logs:${local.region}:${local.account_id}:log-group:/ecs/${var.name_prefix}*"]
    }
  }
}

resource "aws_kms_key" "logs" {
  description             = "${var.name_prefix} ECS service logs"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  policy                  = data.aws_iam_policy_document.logs_kms.json
  tags                    = var.tags
}

resource "aws_cloudwatch_log_group" "this" {
  name              = "/ecs/${var.name_prefix}"
  retention_in_days = var.log_retention_days
  kms_key_id        = aws_kms_key.logs.arn
  tags              = var.tags
}

# --- cluster, capacity providers, Service Connect ------------------------------------------------------
resource "aws_service_discovery_http_namespace" "this" {
  name        = var.name_prefix
  description = "Service Connect namespace of the xOps services"
  tags        = var.tags
}

resource "aws_ecs_cluster" "this" {
  name = var.name_prefix

  setting {
    name  = "containerInsights"
    value = "enhanced"
  }

  service_connect_defaults {
    namespace = aws_service_discovery_http_namespace.this.arn
  }

  tags = var.tags
}

resource "aws_ecs_cluster_capacity_providers" "this" {
  cluster_name       = aws_ecs_cluster.this.name
  capacity_providers = ["FARGATE", "FARGATE_SPOT"]

  default_capacity_provider_strategy {
    capacity_provider = "FARGATE"
    weight            = 1
    base              = 1
  }
}

# --- IAM: execution role (pull, logs, secrets) and one task role per service ----------------------------
data "aws_iam_policy_document" "ecs_tasks_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

resource "aws_iam_role" "execution" {
  name               = "${var.name_prefix}-task-execution"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_assume.json
  tags               = var.tags
}

resource "aws_iam_role_policy_attachment" "execution" {
  role       = aws_iam_role.execution.name
  policy_arn = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"
}

data "aws_iam_policy_document" "execution_secrets" {
  statement {
    sid       = "ReadTheServiceSecrets"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = sort(values(var.secret_arns))
  }
  statement {
    sid       = "DecryptThem"
    actions   = ["kms:Decrypt"]
    resources = [var.secrets_kms_key_arn]
  }
}

resource "aws_iam_role_policy" "execution_secrets" {
  name   = "secrets"
  role   = aws_iam_role.execution.id
  policy = data.aws_iam_policy_document.execution_secrets.json
}

resource "aws_iam_role" "task" {
  for_each           = local.containers
  name               = "${var.name_prefix}-${each.key}"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_assume.json
  tags               = var.tags
}

data "aws_iam_policy_document" "efs_client" {
  for_each = { for name, c in local.containers : name => c if length(c.mounts) > 0 }
  statement {
    sid       = "MountItsAccessPointsOnly"
    actions   = ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"]
    resources = [var.efs_file_system_arn]
    condition {
      test     = "StringEquals"
      variable = "elasticfilesystem:AccessPointArn"
      values = [for ap in sort(keys(each.value.mounts)) :
      "arn:aws:elasticfilesystem:${local.region}:${local.account_id}:access-point/${var.efs_access_point_ids[ap]}"]
    }
  }
}

resource "aws_iam_role_policy" "efs_client" {
  for_each = data.aws_iam_policy_document.efs_client
  name     = "efs"
  role     = aws_iam_role.task[each.key].id
  policy   = each.value.json
}

# The read-only analyzer policy, generated from the analyzer registry by `xops iam policy` (one file, or
# several when it outgrows IAM's size limit); tests/identity checks the committed files are current.
resource "aws_iam_policy" "analyzer" {
  for_each    = local.analyzer_policies
  name        = "${var.name_prefix}-${trimsuffix(each.value, ".json")}"
  description = "xOps analyzers: read-only actions generated from the analyzer registry"
  policy      = file("${path.module}/policies/${each.value}")
  tags        = var.tags
}

resource "aws_iam_role_policy_attachment" "analyzer" {
  for_each   = { for pair in setproduct(local.analyzer_services, sort(local.analyzer_policies)) : "${pair[0]}/${pair[1]}" => pair }
  role       = aws_iam_role.task[each.value[0]].name
  policy_arn = aws_iam_policy.analyzer[each.value[1]].arn
}

# --- network -------------------------------------------------------------------------------------------
resource "aws_security_group" "services" {
  name        = "${var.name_prefix}-services"
  description = "xOps ECS services: Open WebUI from the ALB, the rest only from each other"
  vpc_id      = var.vpc_id
  tags        = merge(var.tags, { Name = "${var.name_prefix}-services" })
}

resource "aws_vpc_security_group_ingress_rule" "from_alb" {
  security_group_id            = aws_security_group.services.id
  description                  = "Open WebUI from the ALB"
  ip_protocol                  = "tcp"
  from_port                    = local.containers["open-webui"].port
  to_port                      = local.containers["open-webui"].port
  referenced_security_group_id = var.alb_security_group_id
}

resource "aws_vpc_security_group_ingress_rule" "mesh" {
  for_each                     = local.service_ports
  security_group_id            = aws_security_group.services.id
  description                  = "Service Connect between the xOps services"
  ip_protocol                  = "tcp"
  from_port                    = tonumber(each.value)
  to_port                      = tonumber(each.value)
  referenced_security_group_id = aws_security_group.services.id
}

resource "aws_vpc_security_group_egress_rule" "mesh" {
  for_each                     = local.service_ports
  security_group_id            = aws_security_group.services.id
  description                  = "Service Connect between the xOps services"
  ip_protocol                  = "tcp"
  from_port                    = tonumber(each.value)
  to_port                      = tonumber(each.value)
  referenced_security_group_id = aws_security_group.services.id
}

resource "aws_vpc_security_group_egress_rule" "https" {
  security_group_id = aws_security_group.services.id
  description       = "HTTPS to AWS APIs, the image registries and the LLM API"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = "0.0.0.0/0"
}

resource "aws_vpc_security_group_egress_rule" "efs" {
  security_group_id            = aws_security_group.services.id
  description                  = "NFS to the EFS mount targets"
  ip_protocol                  = "tcp"
  from_port                    = 2049
  to_port                      = 2049
  referenced_security_group_id = var.efs_security_group_id
}

# --- task definitions and services --------------------------------------------------------------------
resource "aws_ecs_task_definition" "this" {
  #checkov:skip=CKV_AWS_336:Open WebUI and the Pipelines server write into their app directories at start (upstream images); the four xOps containers run with readonlyRootFilesystem = true
  for_each                 = local.containers
  family                   = "${var.name_prefix}-${each.key}"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = var.services[each.key].cpu
  memory                   = var.services[each.key].memory
  execution_role_arn       = aws_iam_role.execution.arn
  task_role_arn            = aws_iam_role.task[each.key].arn

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = "ARM64"
  }

  dynamic "volume" {
    for_each = each.value.mounts
    content {
      name = volume.key
      efs_volume_configuration {
        file_system_id     = var.efs_file_system_id
        transit_encryption = "ENABLED"
        authorization_config {
          access_point_id = var.efs_access_point_ids[volume.key]
          iam             = "ENABLED"
        }
      }
    }
  }

  # Task-local scratch space (Fargate ephemeral storage) for /tmp under a read-only root.
  volume {
    name = "tmp"
  }

  container_definitions = jsonencode([merge(
    {
      name                   = each.key
      image                  = var.images[each.key]
      essential              = true
      privileged             = false
      readonlyRootFilesystem = each.value.read_only_root
      stopTimeout            = 120
      linuxParameters        = { initProcessEnabled = true }
      portMappings = each.value.port == null ? [] : [
        { name = each.key, containerPort = each.value.port, protocol = "tcp", appProtocol = "http" }
      ]
      environment = [for k in sort(keys(each.value.environment)) : { name = k, value = each.value.environment[k] }]
      secrets     = [for k in sort(keys(each.value.secrets)) : { name = k, valueFrom = var.secret_arns[each.value.secrets[k]] }]
      mountPoints = concat(
        [for name in sort(keys(each.value.mounts)) : { sourceVolume = name, containerPath = each.value.mounts[name], readOnly = false }],
        [{ sourceVolume = "tmp", containerPath = "/tmp", readOnly = false }]
      )
      logConfiguration = {
        logDriver = "awslogs"
        options = {
          awslogs-group         = aws_cloudwatch_log_group.this.name
          awslogs-region        = local.region
          awslogs-stream-prefix = each.key
        }
      }
    },
    each.value.command == null ? {} : { command = each.value.command },
    each.value.health == null ? {} : {
      healthCheck = { command = each.value.health, interval = 30, timeout = 5, retries = 3, startPeriod = 60 }
    }
  )])

  tags = var.tags
}

resource "aws_ecs_service" "this" {
  for_each                           = local.containers
  name                               = each.key
  cluster                            = aws_ecs_cluster.this.arn
  task_definition                    = aws_ecs_task_definition.this[each.key].arn
  desired_count                      = var.services[each.key].min
  platform_version                   = "LATEST"
  enable_execute_command             = false
  propagate_tags                     = "SERVICE"
  deployment_minimum_healthy_percent = 100
  deployment_maximum_percent         = 200
  health_check_grace_period_seconds  = each.key == "open-webui" ? 120 : null

  dynamic "capacity_provider_strategy" {
    for_each = var.services[each.key].spot ? local.spot_3_to_1 : local.on_demand
    content {
      capacity_provider = capacity_provider_strategy.value.capacity_provider
      weight            = capacity_provider_strategy.value.weight
    }
  }

  network_configuration {
    subnets          = var.subnet_ids
    security_groups  = [aws_security_group.services.id]
    assign_public_ip = false
  }

  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }

  dynamic "load_balancer" {
    for_each = each.key == "open-webui" ? [each.value.port] : []
    content {
      target_group_arn = var.alb_target_group_arn
      container_name   = each.key
      container_port   = load_balancer.value
    }
  }

  service_connect_configuration {
    enabled   = true
    namespace = aws_service_discovery_http_namespace.this.arn

    dynamic "service" {
      for_each = each.value.port == null ? [] : [each.value.port]
      content {
        port_name      = each.key
        discovery_name = each.key
        client_alias {
          port     = service.value
          dns_name = each.key
        }
      }
    }

    log_configuration {
      log_driver = "awslogs"
      options = {
        awslogs-group         = aws_cloudwatch_log_group.this.name
        awslogs-region        = local.region
        awslogs-stream-prefix = "service-connect-${each.key}"
      }
    }
  }

  lifecycle {
    ignore_changes = [desired_count]
  }

  depends_on = [aws_ecs_cluster_capacity_providers.this]
  tags       = var.tags
}

resource "aws_appautoscaling_target" "this" {
  for_each           = local.containers
  service_namespace  = "ecs"
  resource_id        = "service/${aws_ecs_cluster.this.name}/${aws_ecs_service.this[each.key].name}"
  scalable_dimension = "ecs:service:DesiredCount"
  min_capacity       = var.services[each.key].min
  max_capacity       = var.services[each.key].max
}

resource "aws_appautoscaling_policy" "cpu" {
  for_each           = local.containers
  name               = "${var.name_prefix}-${each.key}-cpu"
  policy_type        = "TargetTrackingScaling"
  service_namespace  = aws_appautoscaling_target.this[each.key].service_namespace
  resource_id        = aws_appautoscaling_target.this[each.key].resource_id
  scalable_dimension = aws_appautoscaling_target.this[each.key].scalable_dimension

  target_tracking_scaling_policy_configuration {
    predefined_metric_specification {
      predefined_metric_type = "ECSServiceAverageCPUUtilization"
    }
    target_value       = var.services[each.key].cpu_target
    scale_in_cooldown  = 300
    scale_out_cooldown = 60
  }
}

"""The Terraform modules and environments, parsed with python-hcl2: every property the spec asks for."""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import pytest

from tests.infra.facts import ANALYZER_SERVICES, ENVS, INFRA, MODULES, SERVICE_COMMANDS, SERVICE_PORTS
from tests.infra.hcl import Module, load_dir

MOD = {name: load_dir(INFRA / "modules" / name) for name in MODULES}
ENV = {name: load_dir(INFRA / "envs" / name) for name in ENVS}


def test_terraform_fmt_is_clean() -> None:
    terraform = shutil.which("terraform")
    assert terraform, "terraform is not on PATH (the machine image has 1.11; install it to run this check)"
    proc = subprocess.run([terraform, "fmt", "-check", "-recursive", "-diff", str(INFRA)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, f"run `terraform fmt -recursive infra`:\n{proc.stdout}{proc.stderr}"


@pytest.mark.parametrize("name", MODULES)
def test_each_module_has_its_files_and_documents_every_input_and_output(name: str) -> None:
    folder = INFRA / "modules" / name
    assert {"main.tf", "variables.tf", "outputs.tf", "README.md"} <= {p.name for p in folder.iterdir()}
    module = MOD[name]
    assert module.variables and module.outputs
    for var, body in module.variables.items():
        assert body.get("description") and body.get("type"), f"{name}: variable {var} needs description and type"
    for out, body in module.outputs.items():
        assert body.get("description"), f"{name}: output {out} needs a description"
    readme = (folder / "README.md").read_text()
    for item in [*module.variables, *module.outputs]:
        assert f"`{item}`" in readme, f"{name}/README.md does not mention `{item}`"


def test_identity_outputs_abac_and_the_generated_policy() -> None:
    m = MOD["identity"]
    assert {"sso_instance_arn", "identity_store_id", "sso_groups_ids"} <= set(m.outputs)
    attrs = m.resource("aws_ssoadmin_instance_access_control_attributes", "this")
    assert attrs["dynamic"][0]["attribute"]["for_each"] == "${var.cost_centre_attribute}"
    assert m.default("cost_centre_attribute") == {"CostCenter": "$${path:enterprise.costCenter}"}
    inline = m.resource("aws_ssoadmin_permission_set_inline_policy", "analyzer")
    assert inline["inline_policy"] == "${var.analyzer_policy_json}"
    analysts = [ps for ps, cfg in m.default("permission_sets").items() if cfg["analyzer_policy"]]
    assert analysts == ["XopsAnalyst"]
    assert m.default("permission_sets")["XopsAnalyst"]["managed_policies"] == []
    assert "MFA" in (INFRA / "modules/identity/README.md").read_text()


def test_ecs_runs_graviton_fargate_with_the_spec_replicas_and_cpu_targets() -> None:
    m = MOD["ecs"]
    task = m.resource("aws_ecs_task_definition", "this")
    assert task["runtime_platform"] == [{"operating_system_family": "LINUX", "cpu_architecture": "ARM64"}]
    assert task["requires_compatibilities"] == ["FARGATE"] and task["network_mode"] == "awsvpc"
    services = m.default("services")
    assert set(services) == set(m.locals["containers"]) == set(SERVICE_PORTS) | {"crew-worker"}
    assert services["open-webui"] == {"cpu": 2048, "memory": 4096, "min": 2, "max": 6, "cpu_target": 70, "spot": False}
    assert services["runbooks-api"] == {"cpu": 1024, "memory": 2048, "min": 2, "max": 8, "cpu_target": 60, "spot": False}
    assert [n for n, s in services.items() if s["spot"]] == ["crew-worker"]
    policy = m.resource("aws_appautoscaling_policy", "cpu")
    tracking = policy["target_tracking_scaling_policy_configuration"][0]
    assert tracking["predefined_metric_specification"][0]["predefined_metric_type"] == "ECSServiceAverageCPUUtilization"
    assert tracking["target_value"] == "${var.services[each.key].cpu_target}"
    target = m.resource("aws_appautoscaling_target", "this")
    assert (target["min_capacity"], target["max_capacity"]) == ("${var.services[each.key].min}", "${var.services[each.key].max}")
    assert "services" not in ENV["prod"].module("ecs"), "prod runs the spec's sizes (the module defaults)"


def test_ecs_spot_three_to_one_service_connect_and_the_sigterm_drain() -> None:
    m = MOD["ecs"]
    assert m.locals["spot_3_to_1"] == [{"capacity_provider": "FARGATE_SPOT", "weight": 3},
                                       {"capacity_provider": "FARGATE", "weight": 1}]
    assert m.resource("aws_ecs_cluster_capacity_providers", "this")["capacity_providers"] == ["FARGATE", "FARGATE_SPOT"]
    service = m.resource("aws_ecs_service", "this")
    strategy = service["dynamic"][0]["capacity_provider_strategy"]
    assert strategy["for_each"] == "${var.services[each.key].spot ? local.spot_3_to_1 : local.on_demand}"
    connect = service["service_connect_configuration"][0]
    assert connect["enabled"] is True and connect["namespace"] == "${aws_service_discovery_http_namespace.this.arn}"
    assert service["network_configuration"][0]["assign_public_ip"] is False
    containers = m.resource("aws_ecs_task_definition", "this")["container_definitions"]
    assert re.search(r"\bstopTimeout = 120\b", containers)
    assert "logDriver = \"awslogs\"" in containers and "aws_cloudwatch_log_group.this.name" in containers
    assert MOD["edge"].resource("aws_lb_target_group", "open_webui")["deregistration_delay"] == 120
    assert {"cluster_arn", "task_exec_iam_role_arn", "log_group_arn"} <= set(m.outputs)


def test_ecs_commands_and_ports_are_the_services_own() -> None:
    containers = MOD["ecs"].locals["containers"]
    for name, port in SERVICE_PORTS.items():
        assert containers[name]["port"] == port, name
    for name, command in SERVICE_COMMANDS.items():
        assert containers[name]["command"] == command, name
    assert containers["open-webui"]["mounts"] == {"sqlite": "/app/backend/data"}
    assert containers["runbooks-api"]["mounts"] == {"evidence": "/data", "chroma": "/chroma"}


def test_ecs_task_roles_are_least_privilege() -> None:
    m = MOD["ecs"]
    containers = m.locals["containers"]
    assert {n for n, c in containers.items() if c["analyzer"]} == ANALYZER_SERVICES
    assert m.locals["analyzer_services"] == "${sort([for name, c in local.containers : name if c.analyzer])}"
    assert m.locals["analyzer_policies"] == '${fileset("${path.module}/policies", "analyzer-readonly*.json")}'
    policy = m.resource("aws_iam_policy", "analyzer")
    assert policy["policy"] == '${file("${path.module}/policies/${each.value}")}'
    attach = m.resource("aws_iam_role_policy_attachment", "analyzer")
    assert "setproduct(local.analyzer_services, sort(local.analyzer_policies))" in attach["for_each"]
    # The files Terraform reads are the generated policy (tests/identity checks they match the registry).
    files = sorted(p.name for p in (INFRA / "modules/ecs/policies").glob("*.json"))
    assert files == ["analyzer-readonly.json"]
    assert json.loads((INFRA / "modules/ecs/policies/analyzer-readonly.json").read_text())["Statement"]
    # Nothing else grants "*" actions; the execution role reads exactly the service secrets.
    secrets = m.data("aws_iam_policy_document", "execution_secrets")["statement"]
    assert secrets[0]["actions"] == ["secretsmanager:GetSecretValue"]
    assert secrets[0]["resources"] == "${sort(values(var.secret_arns))}"
    efs = m.data("aws_iam_policy_document", "efs_client")["statement"][0]
    assert efs["actions"] == ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"]
    assert efs["condition"][0]["variable"] == "elasticfilesystem:AccessPointArn"
    volume = m.resource("aws_ecs_task_definition", "this")["dynamic"][0]["volume"]["content"][0]
    efs_volume = volume["efs_volume_configuration"][0]
    assert efs_volume["transit_encryption"] == "ENABLED"
    assert efs_volume["authorization_config"][0]["iam"] == "ENABLED"


def test_edge_cloudfront_waf_alb_acm_route53_and_secrets() -> None:
    m = MOD["edge"]
    cdn = m.resource("aws_cloudfront_distribution", "this")
    assert cdn["price_class"] == "PriceClass_100"
    assert cdn["web_acl_id"] == "${aws_wafv2_web_acl.this.arn}"
    assert cdn["viewer_certificate"][0]["minimum_protocol_version"] == "TLSv1.2_2021"
    assert cdn["viewer_certificate"][0]["acm_certificate_arn"] == "${aws_acm_certificate_validation.cdn.certificate_arn}"
    ws = cdn["dynamic"][0]["ordered_cache_behavior"]
    assert ws["for_each"] == "${local.websocket_paths}"
    assert m.locals["websocket_paths"] == ["/ws/*", "/socket.io/*"]
    behaviour = ws["content"][0]
    assert behaviour["cache_policy_id"] == "${data.aws_cloudfront_cache_policy.caching_disabled.id}"
    assert m.data("aws_cloudfront_cache_policy", "caching_disabled")["name"] == "Managed-CachingDisabled"
    assert behaviour["origin_request_policy_id"] == "${data.aws_cloudfront_origin_request_policy.all_viewer.id}"
    assert m.data("aws_cloudfront_origin_request_policy", "all_viewer")["name"] == "Managed-AllViewer"
    assert "GET" in behaviour["allowed_methods"] and behaviour["viewer_protocol_policy"] == "https-only"
    hsts = m.resource("aws_cloudfront_response_headers_policy", "security")["security_headers_config"][0]
    assert hsts["strict_transport_security"][0]["access_control_max_age_sec"] >= 31536000

    waf = m.resource("aws_wafv2_web_acl", "this")
    assert waf["scope"] == "CLOUDFRONT" and waf["provider"] == "${aws.us_east_1}"
    groups = {r["statement"][0]["managed_rule_group_statement"][0]["name"]: r for r in waf["rule"]
              if "managed_rule_group_statement" in r["statement"][0]}
    assert {"AWSManagedRulesCommonRuleSet", "AWSManagedRulesATPRuleSet"} <= set(groups)
    atp = groups["AWSManagedRulesATPRuleSet"]["statement"][0]["managed_rule_group_statement"][0]
    config = atp["managed_rule_group_configs"][0]["aws_managed_rules_atp_rule_set"][0]
    assert config["login_path"] == "${var.login_path}" and m.default("login_path") == "/api/v1/auths/signin"
    match = atp["scope_down_statement"][0]["byte_match_statement"][0]
    assert match["search_string"] == "${var.auth_path_prefix}" and m.default("auth_path_prefix") == "/api/v1/auths/"
    assert match["positional_constraint"] == "STARTS_WITH" and "uri_path" in match["field_to_match"][0]
    assert m.resource("aws_wafv2_web_acl_logging_configuration", "this")["resource_arn"] == "${aws_wafv2_web_acl.this.arn}"

    tg = m.resource("aws_lb_target_group", "open_webui")
    assert tg["stickiness"] == [{"type": "lb_cookie", "enabled": True, "cookie_duration": 86400}]
    assert tg["health_check"][0]["path"] == "/health"
    listener = m.resource("aws_lb_listener", "https")
    assert listener["protocol"] == "HTTPS" and listener["ssl_policy"].startswith("ELBSecurityPolicy-TLS13")

    certs = m.resources("aws_acm_certificate")
    assert set(certs) == {"cdn", "origin"} and all(c["validation_method"] == "DNS" for c in certs.values())
    assert certs["cdn"]["provider"] == "${aws.us_east_1}"
    assert set(m.resources("aws_acm_certificate_validation")) == {"cdn", "origin"}
    assert m.resource("aws_route53_record", "validation")["zone_id"] == "${var.hosted_zone_id}"
    assert m.resource("aws_route53_record", "app")["alias"][0]["name"] == "${aws_cloudfront_distribution.this.domain_name}"

    rotation = m.resource("aws_secretsmanager_secret_rotation", "service")
    assert rotation["rotation_rules"][0]["automatically_after_days"] == "${var.rotation_days}"
    assert m.default("rotation_days") == 90
    assert rotation["for_each"] == m.resource("aws_secretsmanager_secret", "service")["for_each"]
    secrets_used = {s for c in MOD["ecs"].locals["containers"].values() for s in c["secrets"].values()}
    assert secrets_used <= set(m.default("service_secrets"))


def test_efs_is_encrypted_with_access_points_and_backups() -> None:
    m = MOD["efs"]
    fs = m.resource("aws_efs_file_system", "this")
    assert fs["encrypted"] is True and fs["kms_key_id"] == "${aws_kms_key.efs.arn}"
    assert m.resource("aws_kms_key", "efs")["enable_key_rotation"] is True
    assert set(m.default("access_points")) == {"sqlite", "chroma", "evidence"}
    ap = m.resource("aws_efs_access_point", "this")
    assert ap["for_each"] == "${var.access_points}" and ap["root_directory"][0]["creation_info"][0]["permissions"] == "0750"
    assert m.resource("aws_efs_backup_policy", "this")["backup_policy"][0]["status"] == "ENABLED"
    assert m.resource("aws_backup_selection", "efs")["resources"] == ["${aws_efs_file_system.this.arn}"]
    assert m.resource("aws_backup_plan", "this")["rule"][0]["target_vault_name"] == "${aws_backup_vault.this.name}"
    deny = m.data("aws_iam_policy_document", "efs")["statement"][0]
    assert deny["effect"] == "Deny" and deny["condition"][0]["variable"] == "aws:SecureTransport"
    ecs_mounts = {ap for c in MOD["ecs"].locals["containers"].values() for ap in c["mounts"]}
    assert ecs_mounts == set(m.default("access_points"))


@pytest.mark.parametrize("env", ENVS)
def test_envs_compose_the_modules_output_to_input(env: str) -> None:
    e: Module = ENV[env]
    for name in MODULES:
        assert e.module(name)["source"] == f"../../modules/{name}"
    ecs, efs, edge, identity = (e.module(n) for n in ("ecs", "efs", "edge", "identity"))
    assert ecs["alb_target_group_arn"] == "${module.edge.target_group_arn}"
    assert ecs["alb_security_group_id"] == "${module.edge.alb_security_group_id}"
    assert ecs["secret_arns"] == "${module.edge.secret_arns}"
    assert ecs["secrets_kms_key_arn"] == "${module.edge.secrets_kms_key_arn}"
    assert ecs["efs_access_point_ids"] == "${module.efs.access_point_ids}"
    assert ecs["efs_security_group_id"] == "${module.efs.security_group_id}"
    assert efs["client_security_group_ids"] == ["${module.ecs.service_security_group_id}"]
    assert identity["analyzer_policy_json"] == '${file("${path.module}/../../modules/ecs/policies/analyzer-readonly.json")}'
    # python-hcl2 reads `aws.us_east_1 = aws.us_east_1` as an expression key: both sides name the alias.
    assert {k.strip("${}"): v.strip("${}") for k, v in edge["providers"].items()} == \
        {"aws": "aws", "aws.us_east_1": "aws.us_east_1"}
    # Every module input the env passes is a variable the module declares, and every required one is given.
    for name in MODULES:
        given = {k for k in e.module(name) if k not in ("source", "providers")}
        declared = MOD[name].variables
        assert given <= set(declared), f"{env}: {name} has no variable {given - set(declared)}"
        required = {v for v, body in declared.items() if "default" not in body}
        assert required <= given, f"{env}: {name} misses {required - given}"
    assert {"cluster_arn", "sso_instance_arn", "identity_store_id", "url"} <= set(e.outputs)

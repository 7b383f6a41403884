resource "aws_ce_anomaly_monitor" "services" {
  name              = "per-service"
  monitor_type      = "DIMENSIONAL"
  monitor_dimension = "SERVICE"
}

resource "aws_vpc_security_group_ingress_rule" "ssh_admin" {
  security_group_id = "{resource_id}"
  ip_protocol       = "tcp"
  from_port         = 22
  to_port           = 22
  cidr_ipv4         = "10.0.0.0/8" # a trusted range, never 0.0.0.0/0
}

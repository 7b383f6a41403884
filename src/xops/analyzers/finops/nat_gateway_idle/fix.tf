# Remove the aws_nat_gateway (and its aws_eip and routes), or share one per VPC:
resource "aws_nat_gateway" "shared" {
  allocation_id = aws_eip.nat.id
  subnet_id     = aws_subnet.public.id
}

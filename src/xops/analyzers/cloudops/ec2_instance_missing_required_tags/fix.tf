provider "aws" {
  default_tags {
    tags = {
      Owner       = "<team>"
      CostCentre  = "<cc>"
      Environment = "<env>"
    }
  }
}

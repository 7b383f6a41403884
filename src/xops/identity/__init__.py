"""Identity (layer L1): the least-privilege IAM policy generated from the analyzer registry."""

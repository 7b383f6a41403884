"""Identity (layer L1): the least-privilege IAM policy generated from the analyzer registry, and the
IAM Identity Center -> Open WebUI SCIM sync (directory.py reads IdC, scim.py talks to Open WebUI, sync.py
works out and applies the diff)."""

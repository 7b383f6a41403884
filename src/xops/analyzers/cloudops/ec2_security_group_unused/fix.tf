# Remove the aws_security_group resource for {resource_id} from your configuration (terraform plan shows the destroy).

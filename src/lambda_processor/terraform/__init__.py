"""Everything that runs the terraform binary."""

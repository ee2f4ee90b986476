"""End-to-end tests of push sources, async invocation, alarms, dashboards and least privilege on the examples."""

"""BOI notify service: delivers every public call change to partner webhooks, signed and exactly once per
endpoint as far as the delivery log can tell."""

SERVICE = "notify"

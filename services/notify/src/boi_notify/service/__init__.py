"""The use cases of notify, one module per family: instant alerts and digests, the bulletin, subscriptions,
partner webhooks, mail delivery, the console's desk."""

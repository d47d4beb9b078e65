"""notify's pages: the subscription pages (form, confirm, unsubscribe, manage, privacy) and the console's
subscriptions and partners pages."""

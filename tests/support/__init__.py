"""Test support: the real stack for the session, service processes, Kafka helpers, local receivers."""

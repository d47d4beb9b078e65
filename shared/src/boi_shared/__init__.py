"""BOI shared contracts: the events and topics every service agrees on, plus the plumbing they share."""

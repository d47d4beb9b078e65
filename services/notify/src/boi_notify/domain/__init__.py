"""Pure notification logic: webhook signatures and delivery rules. No I/O."""

"""`make chaos`: the whole pipeline on the real stack under seeded faults, checked for anything lost."""

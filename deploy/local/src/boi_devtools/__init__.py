"""Developer and operator tooling: the local stack, `boi run`, and the `boi` command."""

"""Pure metrics logic: what one impression adds to a call's counts. No I/O."""

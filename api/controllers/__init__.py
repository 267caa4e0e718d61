"""HTTP controllers. Each parses, calls one service and returns a Read schema."""

"""The writes of grid management (one module per area)."""

"""The organisation area: offices, courts and staff."""

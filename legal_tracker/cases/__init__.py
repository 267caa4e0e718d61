"""Cases and hearings: survivors and their families, prosecutions, hearings."""

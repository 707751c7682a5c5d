"""Edit records and optimistic versions: who changed what and when, and refusing a save on top of a newer
version (the lowest domain package: everything may use it, it uses nothing of the domains)."""

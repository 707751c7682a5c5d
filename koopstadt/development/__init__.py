"""Development-only code: demo data, the load-data generator and the bench's hooks."""

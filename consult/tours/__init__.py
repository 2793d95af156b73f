"""Tours: mobile advisors driving between consultation stops."""

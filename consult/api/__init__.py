"""JSON API v1 under /api/v1: topics, days, plans and visits (see `openapi.py`)."""

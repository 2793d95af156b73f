"""Volunteer language mediators: their sign-ups, the visits they accompany, their pages."""

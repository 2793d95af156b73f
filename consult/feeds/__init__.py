"""Calendar feeds: personal staff feeds and public location feeds in iCalendar."""

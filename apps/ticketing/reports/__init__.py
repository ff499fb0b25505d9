"""Sales figures for company staff: the API report and the admin page."""

"""Notifications: templates, SMS and email backends, delivery log, retries."""

"""Test worlds shared across apps: built through each app's own services, outside the app boundaries."""

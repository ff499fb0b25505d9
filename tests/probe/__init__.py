"""A test-only app that publishes and handles events, so the kernel's event path is tested end to end."""

"""Identity and access: users, JWT, roles and permissions, memberships, devices."""

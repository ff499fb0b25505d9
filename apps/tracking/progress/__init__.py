"""A trip's progress along its stops, from the positions its bus reports: which stop it is at or heading for
(geofence), how fast it has been going (state in Redis), when it will reach the stops still ahead (eta), and
the durable facts it sends to company (stop times, status moves, delays) when something happens (evaluate).
"""

"""Company: companies (tenants), buses and seat layouts, stops, routes, schedules, trips, drivers."""

"""ServicePlanner (service-planner.nl): field-service planning — clients, items, appointments."""

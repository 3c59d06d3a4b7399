"""The directory domain: organisations, schools, services, locations, needs and capacity."""

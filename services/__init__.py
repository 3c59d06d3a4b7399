"""The directory and accounts domain: organisations, schools, services, locations, needs,
capacity and user accounts. Every write to them goes through an operation here."""

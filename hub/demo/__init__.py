"""Demo data for a family-hub area around Bolton, and the loader that puts it in a database."""

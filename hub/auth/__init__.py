"""Log-in and log-out pages and the Flask-Login session glue; accounts live in services.accounts."""

"""The offline postcode gazetteer: tables, look-up and importers."""

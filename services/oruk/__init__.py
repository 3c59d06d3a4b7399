"""Open Referral UK (ORUK 3.0 / HSDS-UK-3.0): the read operations, serialisers, importer
and exporter. No web framework here: the routes are in ``hub.oruk``.
"""

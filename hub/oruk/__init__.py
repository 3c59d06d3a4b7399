"""Open Referral UK (ORUK 3.0 / HSDS-UK-3.0): the public read API, importer and exporter.

The API is mounted at ``/api/oruk/v3`` (see ``hub.oruk.routes``); ``flask oruk import``
and ``flask oruk export`` live in ``hub.oruk.cli``.
"""

API_PREFIX = "/api/oruk/v3"

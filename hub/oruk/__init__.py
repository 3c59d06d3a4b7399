"""The public ORUK 3.0 read API, mounted at ``/api/oruk/v3`` (``hub.oruk.routes``), and
the ``flask oruk import`` and ``flask oruk export`` commands (``hub.commands.oruk``). The
operations behind them are in ``services.oruk``.
"""

API_PREFIX = "/api/oruk/v3"

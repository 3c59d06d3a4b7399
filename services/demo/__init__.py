"""The Bolton demo area: data files under ``data/`` and a loader that saves them through
the same operations as the pages and the importer."""

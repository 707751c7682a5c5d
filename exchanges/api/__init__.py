"""The REST API (/api/v1/) for the cities' own systems: one rule, two doors (docs/api.md).

Views here parse and authorise exactly as the browser views do, with the same access helpers
(``request_get_for_user``, ``exchanges.cycle.rules``), and call the same services; nothing here writes a model.
"""

"""Fixtures of the catalogue tests."""

from isolation import domain_database

# This domain's own database (see tests/isolation.py).
database_url, warehouse, resources = domain_database("catalogue")

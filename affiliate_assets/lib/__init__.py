"""Shared machinery: settings, the warehouse (connections + the one loader), HTTP base, partitions."""

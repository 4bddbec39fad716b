"""The hotmart domain."""

"""The social domain."""

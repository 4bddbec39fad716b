"""The affiliate's own product catalogue: price, commission, stock and lead time per product."""

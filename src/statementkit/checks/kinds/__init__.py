"""The built-in check kinds, one module per family; each registers itself in the catalogue."""

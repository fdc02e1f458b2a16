"""A tiny package for the pycache example."""

"""A small service for the container example."""

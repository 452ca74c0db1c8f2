"""Locaboo (rooms, halls and their parts, inventory and services): API v2 client, tools and sandbox."""

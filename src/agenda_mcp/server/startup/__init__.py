"""Configuration, the vendor registry, assembling the server, and the command line."""

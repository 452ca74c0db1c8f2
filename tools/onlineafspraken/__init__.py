"""OnlineAfspraken.nl vendor package."""

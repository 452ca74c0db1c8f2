"""Serving a team: state shared by replicas, OAuth access tokens, per-client session limits."""

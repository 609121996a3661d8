"""Loopback HTTP servers used by the tests (127.0.0.1 only)."""

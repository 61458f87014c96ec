"""Processes the bench starts: raw (no nameko) consumers and servers, load clients."""

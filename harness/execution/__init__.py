"""Runs one flow: build request -> transport -> handle response (with the integrity check)."""

"""pytest plugin for the certification suite (being built)."""

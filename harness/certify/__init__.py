"""The conformance suite: scenarios, properties, contracts, cassettes, verdict, pytest plugin."""

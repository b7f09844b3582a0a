"""Speed and scale measurements. Run them with `make bench` (see README, "Benchmarks")."""

"""Evaluation: metrics, datasets and importers, the runner, reports, benchmarks, synthetic calls."""

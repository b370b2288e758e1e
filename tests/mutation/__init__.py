"""Targeted tests that kill mutants the broader suites let live (docs/mutation-report.md)."""

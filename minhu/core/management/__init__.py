"""Management commands of the core app: `minhu serve` and `minhu worker`."""

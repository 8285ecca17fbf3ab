"""A realistic, clearly fictional data set for trying the app and for benchmarks."""

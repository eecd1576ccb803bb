"""Development and test stack: starts the infrastructure and the four service processes the
same way for `make run`, `make test`, the end-to-end fixtures and the benchmarks."""

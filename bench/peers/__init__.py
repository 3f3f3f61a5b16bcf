"""Peers the benchmarks measure the product against, each in its own virtual environment
(never a dependency of the product, nor of `make test`)."""

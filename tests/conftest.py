"""Shared fixtures live in plugin modules so that each area owns its own file."""

pytest_plugins = [
    "tests.replica.fixtures",
    "tests.pg",
]

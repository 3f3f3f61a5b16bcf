"""Shared fixtures live in plugin modules so that each area owns its own file."""

import os
import tempfile

# a test that makes the store spill never writes into this machine's real spill folder
# (beside the embedded server's data); tests that look at spill files set their own
os.environ.setdefault("PRESSEPORTAL_SPILL_DIR", tempfile.mkdtemp(prefix="pp-test-spill-"))

pytest_plugins = [
    "tests.replica.fixtures",
    "tests.pg",
]

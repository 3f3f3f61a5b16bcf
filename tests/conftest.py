"""Shared fixtures live in plugin modules so that each area owns its own file."""

import os
import tempfile

# the shell's own store and site (a user's PRESSEPORTAL_DB_PORT, data dir, profile...) do
# not steer the tests: each test names what it needs; seen: test_db_commands failed with
# the user's PRESSEPORTAL_DB_PORT exported
for _name in [n for n in os.environ if n.startswith("PRESSEPORTAL_") and n != "PRESSEPORTAL_SPILL_DIR"]:
    del os.environ[_name]

# a test that makes the store spill never writes into this machine's real spill folder
# (beside the embedded server's data); tests that look at spill files set their own
os.environ.setdefault("PRESSEPORTAL_SPILL_DIR", tempfile.mkdtemp(prefix="pp-test-spill-"))

pytest_plugins = [
    "tests.replica.fixtures",
    "tests.pg",
]

"""`python -m crawler.cli ...`: the `presseportal` command (a worker runs its crawls so)."""

import sys

from crawler.cli import main

sys.exit(main())

"""`python -m bench` (and `make bench`): see bench/README.md."""

import sys

from bench.cli import main

sys.exit(main())

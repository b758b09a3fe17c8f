"""``python -m generator`` is the same as the ``utsapi`` console script."""

import sys

from generator.cli import main

sys.exit(main())

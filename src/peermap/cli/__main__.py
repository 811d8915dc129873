"""``python -m peermap.cli``: the ``peermap`` command line."""

import sys

from peermap.cli import main

sys.exit(main())

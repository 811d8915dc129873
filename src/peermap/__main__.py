"""``python -m peermap``: the ``peermap`` command line."""

import sys

from peermap.cli import main

sys.exit(main())

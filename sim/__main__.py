"""``python -m sim``: the ``ccsim`` command line."""

from sim.cli import main

raise SystemExit(main())

"""``python -m sim``: the ``ccsim`` command line."""

from sim.cli.main import main

raise SystemExit(main())

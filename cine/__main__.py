"""``python -m cine info|deidentify|process …`` — see ``cine.cli``."""

from cine.cli import main

raise SystemExit(main())

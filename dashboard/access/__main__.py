"""``python -m dashboard.access``: see :mod:`dashboard.access.cli`."""

from dashboard.access.cli import main

raise SystemExit(main())

"""``python -m qa.judge``: build the training pairs, train the judge, measure it (see ``make judge``)."""

from qa.judge.cli import main

raise SystemExit(main())

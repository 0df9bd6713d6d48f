"""``python -m stancestream …`` is the ``stancestream`` command (used to start child processes)."""

from stancestream.services.cli.main import main

main()

"""``python -m services …`` is the ``stancestream`` command (used to start child processes)."""

from services.cli import main

main()

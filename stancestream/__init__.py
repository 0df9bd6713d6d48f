"""StanceStream: live news in, linked actors and directed stances out, over Redis Streams.

The one import name of the project. ``stancestream.services`` (the four services and the
``stancestream`` command) and ``stancestream.shared`` (the runtime and the message contract) are
the repository's top-level ``services/`` and ``shared/`` folders, linked here so that checkouts,
editable installs and wheels all import them under this name.
"""

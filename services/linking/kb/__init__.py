"""Knowledge base of actors with Wikidata ids: build from open sources, look up, link.

``build`` compiles the sources into one SQLite alias index in the data dir, ``store`` opens it
(lazily, so start-up stays fast whatever its size), ``linker`` turns an article's actors into QIDs
or NIL, ``download`` fetches the sources and ``cli`` is ``stancestream kb``.
"""

INDEX_NAME = "index.sqlite"
# a US state's entry description: the build writes it, the linker's office-holder rule reads it
US_STATE = "US state"

"""Code shared by every StanceStream service: message contracts, stream names, settings, Redis."""

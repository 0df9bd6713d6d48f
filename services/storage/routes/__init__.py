"""Routers of the storage API beyond ``api.py``'s basics: queries, live stream, docs, web view."""

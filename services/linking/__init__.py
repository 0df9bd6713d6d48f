"""The linking service: articles in; typed, clustered actors and attributed claims out.

``link.link_article`` is the pure entry point; ``service`` wraps it for ``articles.v1`` ->
``claims.v1``. Modules: ``nlp`` (spaCy, chunking), ``names`` (normalisation, word lists),
``actors`` (mentions, clustering), ``speakers`` (pronoun/description resolution, affiliation),
``claims`` (quotes, cue verbs, claim units).
"""

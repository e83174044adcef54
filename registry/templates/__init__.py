"""Only a name: the built-in templates are in ``templates/`` at the top of the repository.

``pyproject.toml`` finds every package under ``registry/``; this file lets it find
``registry.templates``, whose files its ``package-dir`` takes from ``templates/``, so
that the wheel ships them here. In a source checkout ``registry.render.templates``
reads ``templates/`` directly.
"""

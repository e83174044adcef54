"""wiretype: one YAML definition per WebSocket message, checked and generated.

The pipeline is a folder per stage, each taking and returning frozen data:
``load`` (settings and files) -> ``compile`` (the model) -> ``schema`` (JSON Schema
per version) -> ``compat`` (set inclusion) and ``check`` (findings) -> ``render``
(the generated packages) -> ``write`` (files on disk); ``cli`` runs them and is the
only code that prints. ``docs/architecture.md`` follows one definition through them.
Only the names below are public.
"""

from __future__ import annotations

__all__ = ["__version__"]

__version__ = "0.1.0"

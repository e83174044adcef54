"""wiretype: one YAML definition per WebSocket message, checked and generated.

The pipeline is load -> compile -> check -> render -> write; each stage is a
module of its own (see README "Code map"). Only the names below are public.
"""

from __future__ import annotations

__all__ = ["__version__"]

__version__ = "0.1.0"

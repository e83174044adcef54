"""The hand-written modules of every generated Python package (not itself copied).

``wiretype generate`` copies each module of this folder into the package it writes, adding
only the do-not-edit header. The folder is a package so that ruff and ``mypy --strict``
check the modules here, as they will be imported (``from ._json import ...``).
"""

"""``python -m registry``: the same as the ``wiretype`` command."""

from registry.cli import main

main()

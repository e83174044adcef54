"""The load stage: a project's settings and the bytes of its definition files.

In: a folder (``--root``, or the nearest one upward holding a project), or a git ref
of it. Out: a frozen ``Config`` (``settings``), the definition files as
``{path from the project's root: bytes}`` (``tree``, ``gitref``), parsed into
``Document``s that remember the line and column of every node (``source``), and a raw
schema file for ``wiretype compat`` (``schema_file``). This stage and ``write`` are
the only ones that touch the disk; nothing here compiles or judges a definition.
"""

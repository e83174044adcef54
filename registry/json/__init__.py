"""JSON values and JSON Schema keywords as wiretype reads them, shared by every stage.

In: plain JSON values (numbers, strings, pointers, schemas as dicts). Out: answers about
them: a number's double and its shortest decimal (``numbers``), the string formats the
generated validators assert (``formats``), JSON-pointer tokens (``pointer``), ECMA-262
patterns and draft 2020-12 validation with those formats (``validation``), and a fast
exact acceptor for the common keywords (``acceptor``). Nothing here knows about
definitions, files or the command line, and nothing here imports a stage.
"""

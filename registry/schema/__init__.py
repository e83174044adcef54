"""The schema stage: the compiled model -> JSON Schema 2020-12, built once per version.

In: the frozen ``Registry`` (the compile stage's output). Out: each version's JSON
Schema in two views, closed (what a writer sends) and open (what a reader accepts),
through a table of emitters (``emit``), kept by one builder per registry
(``documents.Schemas``) that every later stage asks instead of emitting its own; and
the documents built from them: the files of ``export jsonschema`` (``export``) and an
AsyncAPI 3 document (``asyncapi``). ``generated`` lists the keywords the generated
validators do not implement. Nothing here judges a schema; ``check`` and ``compat`` do.
"""

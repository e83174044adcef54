"""The compile stage: YAML documents -> the frozen model, with a finding for every mistake.

In: the parsed ``Document`` of every definition file, by definition name (the load
stage's output), and the settings' defaults (mode, ``allow_unproven``). Out: a
``Registry`` of frozen ``Definition``s (``model``) and the findings met on the way,
all of them, never stopping at the first. ``definitions`` reads a file's top level and
its versions, ``shorthand`` and ``constraints`` its fields, ``migrate`` its
``migrate:`` steps (``migrate_names`` tracks the names each step sees,
``migrate_inverse`` derives the way down), ``context`` locates every finding and
``naming`` gives each definition its generated class names. Nothing here needs JSON
Schema; the checks that do come after it (``registry.check``).
"""

"""The check stage: the compiled registry and its schemas -> findings.

In: the ``Registry`` and its ``Schemas`` (or, file by file, each definition's bytes),
the lock's text, and the registry as it is at a git ref. Out: findings, plain data,
never printed here. What is checked: every definition's own problems that need JSON
Schema (``lint``); the lock (``lock``); each pair of versions that the message's mode
asks for (``pairing``), proved compatible by set inclusion after its migration steps
(``policy``, with the steps applied to schemas by ``migrate_schema`` and
``migrate_convert``), and when not, a whole-message witness run through the steps
(``witness``, ``migrate_run``), a suggested step (``suggest``) and the findings
(``pair_findings``); what ``--against REF`` adds (``against``). ``survey`` works all of
it out file by file, keyed for the cache the command layer opens (``report`` is the
JSON it keeps); ``project`` does it for a whole registry at once. ``diff`` classifies the
changes between two versions (``diff_listing`` lists them keyword by keyword) and
``compat_files`` compares two raw schema files; ``workers`` shares a cold survey out
among a few processes.
"""

"""The write stage: generated files onto the disk, whole and atomically, or how they differ.

In: a folder and ``{path inside it: text}`` (a rendered package, the files of
``export``), or one file and its text (the lock, a bumped definition, ``init``'s
files). Out: the files on disk, each written to a temporary sibling and renamed into
place, with the user's umask for new files and the old mode for rewritten ones;
a folder's manifest records what was generated, so that files generated before and
no longer are removed and nothing else is touched. ``stale_files`` says which files
differ without writing any (``generate --check``). With ``load``, the only stage that
touches the disk.
"""

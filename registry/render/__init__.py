"""Renderers: the compiled registry -> the files of one generated package.

Each target has a module here that builds a fully resolved view-model (names
escaped, imports sorted, defaults as literals) and hands it to the jinja2
templates in ``templates/<target>/``; the templates only loop and substitute.
"""

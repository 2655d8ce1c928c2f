"""The ``perfrules`` command line: its parser, language and commands.

Internal: the public API is :mod:`perfrules`; these modules may change.
"""

"""The formula language: normalising published text, parsing, and exact compiled evaluation.

Internal: the public API is :mod:`perfrules`; these modules may change.
"""

"""Grading rules: printed band phrases, bands and grade scales, and which grades can be reached.

Internal: the public API is :mod:`perfrules`; these modules may change.
"""

"""Scoring: the scheme compiled into a plan, run per unit and over columns, with population steps.

Internal: the public API is :mod:`perfrules`; these modules may change.
"""

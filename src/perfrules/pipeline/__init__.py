"""A data file through the plan: streamed chunks and worker processes.

Internal: the public API is :mod:`perfrules`; these modules may change.
"""

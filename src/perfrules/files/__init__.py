"""Files: tabular data, scheme files, unit data, written results, workbooks and published tables.

Internal: the public API is :mod:`perfrules`; these modules may change.
"""

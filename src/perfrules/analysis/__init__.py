"""Analysis on top of scoring: data checks, reweighting, sensitivity and what-if.

Internal: the public API is :mod:`perfrules`; these modules may change.
"""

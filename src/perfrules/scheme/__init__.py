"""The scheme model: rule forms, evaluated units, and the indicator tree with its policies.

Internal: the public API is :mod:`perfrules`; these modules may change.
"""

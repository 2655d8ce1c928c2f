"""The built-in schemes' names and the files that hold them (``perfrules/schemes/STEM.toml`` and ``.csv``).

A module of its own, importing nothing, so that the command line can offer
the names (``perfrules demo --help``) without loading the scheme model.
"""

BUILTIN: dict[str, str] = {
    "shenzhen-2010-departments": "shenzhen_2010_departments",
    "shenzhen-2010-districts": "shenzhen_2010_districts",
    "xiamen-xiangan-2020": "xiamen_xiangan_2020",
}

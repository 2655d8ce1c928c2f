"""Strict scheme files: one declaration of the format gives the reader, the JSON Schema and the reference."""

from __future__ import annotations

import io
import json
import re
import tomllib
from pathlib import Path

import jsonschema
import pytest
from hypothesis import HealthCheck, given, reject, settings
from hypothesis import strategies as st

from perfrules import SchemeError, dumps, load, loads, scheme_json_schema, schemes
from perfrules import testing as prst
from perfrules.cli.main import main
from perfrules.files.filespec import AnyOf, Const, ListOf, MapOf
from perfrules.files.schemefile import SCHEME_FILE, scheme_reference
from perfrules.files.spec_docs import _walk_specs
from perfrules.files.spec_tables import Field, Obj, Tagged

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = scheme_json_schema()
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)

SCHEME_FILES = sorted(
    [*(ROOT / "src" / "perfrules" / "schemes").glob("*.toml"), *(ROOT / "docs" / "examples").rglob("*.toml")]
)


def schema_errors(data: object) -> list[str]:
    return [e.message for e in VALIDATOR.iter_errors(data)]


# ---------------------------------------------------------------------------
# The schema and the files in the repository
# ---------------------------------------------------------------------------


def test_the_schema_is_a_valid_draft_2020_12_schema():
    """The generated schema is itself valid JSON Schema, and closed at every table."""
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    assert SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    closed = [SCHEMA, *(d for d in SCHEMA["$defs"].values() if "properties" in d and "allOf" not in d)]
    assert all(d["additionalProperties"] is False for d in closed)


@pytest.mark.parametrize("path", SCHEME_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_scheme_file_in_the_repository_validates_against_the_schema(path):
    """Built-in schemes and documented examples pass the schema (numbers as "30%" included) and load."""
    with path.open("rb") as f:
        data = tomllib.load(f)
    assert schema_errors(data) == []
    load(path)


@pytest.mark.parametrize("name", schemes())
@pytest.mark.parametrize("fmt", ["toml", "json"])
def test_written_files_validate_against_the_schema(name, fmt):
    """What dump writes, the schema accepts, in TOML and in JSON."""
    text = dumps(load(name), format=fmt)
    data = json.loads(text) if fmt == "json" else tomllib.loads(text)
    assert schema_errors(data) == []


@given(st.data())
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
def test_the_schema_accepts_what_the_reader_accepts(data):
    """Any generated scheme, written and read back, passes the schema too."""
    try:
        scheme = data.draw(prst.schemes())
    except SchemeError:
        reject()
    text = dumps(scheme, format="json")
    assert loads(text, format="json") == scheme
    assert schema_errors(json.loads(text)) == []


def test_perfrules_schema_prints_the_schema():
    """`perfrules schema` prints the same schema scheme_json_schema() returns."""
    out, err = io.StringIO(), io.StringIO()
    assert main(["schema"], out=out, err=err) == 0
    assert json.loads(out.getvalue()) == SCHEMA


# ---------------------------------------------------------------------------
# Misspellings: the reader and the schema refuse the same files
# ---------------------------------------------------------------------------

BASE = """
format = "perfrules-scheme/1"
name = "严格读取示例"
basis = "points"
total = 100
cap_total = true

[overall]
rule = "总分90分及以上为优秀，80分及以上不满90分为良好，60分及以上不满80分为合格，不满60分为不合格"
policy = "exclusive"

[[quotas]]
grade = "优秀"
share = "30%"
rounding = "floor"
ties = "exclude"

[[caps]]
when = "否决项>0"
grade = "合格"

[[policies]]
type = "veto"
when = "弄虚作假>0"
effect = "zero"

[[groups]]
name = "考核指标"

[[groups]]
name = "子项"
parent = "考核指标"

[[indicators]]
code = "1"
name = "排名"
group = "子项"
weight = 50
max_score = 53
frequency = "年度"
score = "基础得分+排名加分"
policies = [{ type = "adjust", per = "违纪人数", points = -1, cap = 3, reason = "每人扣1分" }]

[[indicators.steps]]
type = "rank"
target = "排名加分"
of = "增速"
order = "desc"
points = { "1" = 3 }

[[indicators]]
code = "2"
name = "人均支出"
group = "考核指标"
weight = 50
value = "支出水平"
steps = [{ type = "peer_ratio", target = "支出水平", numerator = "支出", denominator = "人数", pooled = true, within = "all" }]

[indicators.scale]
policy = "first"
scoring = "points"
bands = [{ name = "好", conditions = ["支出水平<=1"], points = 50 }, { name = "差", conditions = ["支出水平>1"], points = 0 }]
"""

# (what the file says, the path of the problem, words of the message)
MISSPELT = [
    ('order = "desc"', 'order = "descending"', "indicators[0].steps[0].order", "did you mean 'desc'?"),
    ("pooled = true", 'pooled = "false"', "indicators[1].steps[0].pooled", "write false without quotes"),
    ('within = "all" }', 'within = "province" }', "indicators[1].steps[0].within", "'all', 'category'"),
    (
        'within = "all" }',
        'within = "categroy" }',
        "indicators[1].steps[0].within",
        "did you mean 'category'?",
    ),
    ("cap = 3", "cap = -3", "indicators[0].policies[0].cap", "must be >= 0"),
    ('effect = "zero"', 'effect = "lowest"', "policies[0].effect", "did you mean 'lowest_grade'?"),
    ('type = "veto"', 'type = "vetoo"', "policies[0].type", "did you mean 'veto'?"),
    ('type = "veto"', 'type = "zero"', "policies[0].type", "use one of 'adjust', 'veto'"),
    ('type = "rank"', 'type = "rnak"', "indicators[0].steps[0].type", "did you mean 'rank'?"),
    ('type = "adjust"', 'type = "ajdust"', "indicators[0].policies[0].type", "did you mean 'adjust'?"),
    ('policy = "first"', 'policy = "frist"', "indicators[1].scale.policy", "did you mean 'first'?"),
    ('policy = "exclusive"', 'policy = "exclusve"', "overall.policy", "did you mean 'exclusive'?"),
    ('scoring = "points"', 'scoring = "point"', "indicators[1].scale.scoring", "did you mean 'points'?"),
    ('rounding = "floor"', 'rounding = "flor"', "quotas[0].rounding", "did you mean 'floor'?"),
    ('ties = "exclude"', 'ties = "exlcude"', "quotas[0].ties", "did you mean 'exclude'?"),
    ('share = "30%"', "share = 1.5", "quotas[0].share", "must be > 0 and <= 1"),
    ('share = "30%"', 'share = "thirty"', "quotas[0].share", "expected a number"),
    ("cap_total = true", 'cap_total = "false"', "cap_total", "must be true or false"),
    ('basis = "points"', 'basis = "point"', "basis", "did you mean 'points'?"),
    ('frequency = "年度"', 'frequency = "每年"', "indicators[0].frequency", "must be one of"),
    ("weight = 50\nmax_score", "weight = -50\nmax_score", "indicators[0].weight", "must be >= 0"),
    ('points = { "1" = 3 }', 'points = { "first" = 3 }', "indicators[0].steps[0].points.first", "rank"),
    ("cap_total = true", "cap_total = true\nround_total = 11", "round_total", "whole number from 0 to 10"),
    # unknown keys, at every depth
    ("cap_total = true", "cap_totl = true", "cap_totl", "did you mean 'cap_total'?"),
    ('parent = "考核指标"', 'parnet = "考核指标"', "groups[1].parnet", "did you mean 'parent'?"),
    ("weight = 50\nmax_score", "weigth = 50\nmax_score", "indicators[0].weigth", "did you mean 'weight'?"),
    ('of = "增速"', 'of = "增速"\nordre = "asc"', "indicators[0].steps[0].ordre", "did you mean 'order'?"),
    (
        'reason = "每人扣1分"',
        'reson = "每人扣1分"',
        "indicators[0].policies[0].reson",
        "did you mean 'reason'?",
    ),
    (
        'policy = "first"',
        'policy = "first"\ndomian = [0, 2]',
        "indicators[1].scale.domian",
        "did you mean 'domain'?",
    ),
    (
        'conditions = ["支出水平>1"]',
        'condition = ["支出水平>1"]',
        "indicators[1].scale.bands[1].condition",
        "did you mean 'conditions'?",
    ),
    ('ties = "exclude"', 'ties = "exclude"\ncounts = 2', "quotas[0].counts", "did you mean 'count'?"),
    ('when = "否决项>0"', 'when = "否决项>0"\ngrades = "合格"', "caps[0].grades", "did you mean 'grade'?"),
    (
        'policy = "exclusive"',
        'policy = "exclusive"\nvariabel = "总分"',
        "overall.variabel",
        "did you mean 'variable'?",
    ),
]


def test_the_base_file_is_valid():
    """The file the misspellings are made in loads, and passes the schema."""
    scheme = loads(BASE)
    assert [i.code for i in scheme.indicators()] == ["1", "2"]
    assert schema_errors(tomllib.loads(BASE)) == []


@pytest.mark.parametrize(("good", "bad", "path", "words"), MISSPELT, ids=[m[1] for m in MISSPELT])
def test_misspelt_settings_are_refused_by_the_reader_and_the_schema(good, bad, path, words):
    """Each misspelling is refused when the file is loaded — with its path and a hint — and by the schema."""
    assert good in BASE
    text = BASE.replace(good, bad, 1)
    with pytest.raises(SchemeError) as info:
        loads(text)
    problems = {p.path: p.message for p in info.value.problems}
    assert path in problems, problems
    assert words in problems[path]
    assert schema_errors(tomllib.loads(text)), "the schema accepts what the reader refuses"


def test_the_reported_message_reads_as_documented():
    """The message for a misspelt order names the choices, the value and the likely word."""
    with pytest.raises(SchemeError) as info:
        loads(BASE.replace('order = "desc"', 'order = "descending"'))
    assert str(info.value.problems[0]) == (
        "must be one of 'desc', 'asc' (got 'descending'); did you mean 'desc'? @ indicators[0].steps[0].order"
    )


def test_an_unknown_top_level_key_is_refused_by_the_schema():
    """additionalProperties is false at the top too."""
    data = tomllib.loads(BASE)
    data["nmae"] = "x"
    assert schema_errors(data)


@pytest.mark.parametrize(
    ("good", "bad", "message"),
    [
        # both or neither of a pair of alternatives
        (
            'score = "基础得分+排名加分"',
            'score = "基础得分"\nscale = { rule = "好：得分>=1；差：得分<1" }',
            "not both",
        ),
        ('score = "基础得分+排名加分"', "", "needs 'scale' or 'score'"),
        ('per = "违纪人数", points = -1', 'per = "违纪人数"', "needs 'per' and 'points' together"),
        ('share = "30%"', 'share = "30%"\ncount = 1', "give either 'share' or 'count', not both"),
        ('policy = "first"', 'policy = "first"\nvariable = "x"', "only goes with 'rule'"),
    ],
)
def test_alternatives_are_checked_by_both(good, bad, message):
    """`scale` or `score`, `per`+`points` or `items`, `share` or `count`: the reader and the schema agree."""
    text = BASE.replace(good, bad, 1)
    with pytest.raises(SchemeError, match=re.escape(message)):
        loads(text)
    assert schema_errors(tomllib.loads(text))


def test_formula_errors_point_at_their_key():
    """A bad condition is reported at its own key, with the caret."""
    with pytest.raises(SchemeError) as info:
        loads(BASE.replace('when = "弄虚作假>0"', 'when = "弄虚作假>>0"'))
    (problem,) = info.value.problems
    assert problem.path == "policies[0].when" and "^" in problem.message


def test_notes_point_into_the_file():
    """Validation notes of a loaded scheme carry file paths, like problems."""
    scheme = load("shenzhen-2010-departments")
    assert [n.path for n in scheme.notes] == ["indicators[11].scale"]
    assert "can never be given" in scheme.notes[0].message


def test_json_null_and_empty_text_are_open_domain_ends():
    """`domain = [0, ""]` (TOML) and `[0, null]` (JSON) both leave the top open."""
    text = BASE.replace('policy = "first"', 'policy = "first"\ndomain = [0, ""]')
    assert loads(text).indicator("2").scale.domain.hi is None
    data = tomllib.loads(text)
    data["indicators"][1]["scale"]["domain"] = [0, None]
    assert loads(json.dumps(data, ensure_ascii=False), format="json").indicator("2").scale.domain.hi is None
    assert schema_errors(data) == []


# ---------------------------------------------------------------------------
# The declaration, the reference page and the schema stay in step
# ---------------------------------------------------------------------------


def test_the_reference_page_embeds_the_generated_key_reference():
    """docs/reference/scheme-files.md holds the key reference exactly as the declaration gives it.

    To update it: python -c "from perfrules.files.schemefile import scheme_reference; print(scheme_reference())"
    and paste the output between the markers.
    """
    doc = (ROOT / "docs" / "reference" / "scheme-files.md").read_text(encoding="utf-8")
    start, end = "<!-- keys: generated from perfrules.files.schemefile -->\n", "<!-- end of keys -->"
    assert start in doc and end in doc
    embedded = doc.split(start, 1)[1].split(end, 1)[0]
    assert embedded.strip() == scheme_reference().strip()


def test_every_declared_key_is_in_the_schema_and_the_reference():
    """Each field of each table appears in the JSON Schema and in the reference page."""
    doc = (ROOT / "docs" / "reference" / "scheme-files.md").read_text(encoding="utf-8")
    for spec in _walk_specs(SCHEME_FILE):
        if isinstance(spec, Tagged):
            continue
        schema = SCHEMA if spec is SCHEME_FILE else SCHEMA["$defs"][spec.name]
        for field in spec.fields:
            assert isinstance(field, Field)
            assert field.name in schema["properties"], (spec.name, field.name)
            assert schema["properties"][field.name]["description"] == field.doc
            assert f"| `{field.name}` |" in doc, (spec.name, field.name)


def test_kinds_that_nest_are_walked():
    """The walk reaches every table, through lists, maps and alternatives."""
    names = {s.name for s in _walk_specs(SCHEME_FILE)}
    assert {"scheme", "group", "indicator", "scale", "band", "overall", "cap", "quota"} <= names
    assert {"step", "step.part", "step.rank", "step.peer_ratio", "policy", "policy.veto"} <= names
    assert isinstance(SCHEME_FILE.field("scores").kind, AnyOf)
    assert isinstance(SCHEME_FILE.field("scores").kind.options[0], Const)
    assert isinstance(SCHEME_FILE.field("groups").kind, ListOf)
    assert isinstance(SCHEME_FILE.field("groups").kind.item, Obj)
    assert isinstance(SCHEME_FILE.field("scores").kind.options[1], MapOf)

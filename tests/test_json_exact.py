"""JSON output carries every digit of a shown number: a float is used only where it holds the digits.

Before, ``json_number`` turned each shown number into a float, and a value of 22 digits before
the point came out as ``3.3333333333333335e+21``: not the digits the CSV and the table show.
"""

from __future__ import annotations

import io
import json
from decimal import Decimal
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from perfrules._numbers import json_value
from perfrules._writers import json_members, json_text
from perfrules.cli.main import main

SCHEME = """\
format = "perfrules-scheme/1"
name = "宽数示例"
basis = "points"
total = 100
groups = [{ name = "考核指标" }]

[[indicators]]
code = "1"
name = "完成额"
group = "考核指标"
weight = 100
score = "完成额÷3"
"""


@given(
    digits=st.integers(-(10**40), 10**40),
    places=st.integers(0, 6),
)
def test_every_shown_number_reads_back_as_its_digits(digits: int, places: int) -> None:
    shown = Decimal(digits).scaleb(-places)
    written = json_text({"total": json_value(shown)})
    assert json.loads(written, parse_float=Decimal)["total"] == shown
    value = json_value(shown)
    if isinstance(value, Decimal):  # digits a float does not hold: written as they stand
        assert written == '{"total": ' + format(shown, "f") + "}"
    else:
        assert Decimal(repr(value)) == shown


def test_short_numbers_stay_ints_and_floats() -> None:
    assert json_value(Decimal("57")) == 57 and isinstance(json_value(Decimal("57")), int)
    assert json_value(Decimal("96.67")) == 96.67 and isinstance(json_value(Decimal("96.67")), float)
    wide = json_value(Decimal("3333333333333333333333.333333"))
    assert wide == Decimal("3333333333333333333333.333333")
    # json.dumps itself would refuse the Decimal: only the project's writers write it.
    assert json_text([wide, "x"]) == '[3333333333333333333333.333333, "x"]'
    assert json_members({"v": wide}) == ['  "v": 3333333333333333333333.333333']


def test_a_string_like_the_marker_stays_a_string() -> None:
    text = '"\\u0000perfrules-0000000000000000:12"'
    assert json_text(["\0perfrules-0000000000000000:12"]) == "[" + text + "]"


def test_score_json_writes_a_wide_value_with_its_digits(tmp_path: Path) -> None:
    scheme = tmp_path / "s.toml"
    scheme.write_text(SCHEME, encoding="utf-8")
    data = tmp_path / "d.csv"
    data.write_text("单位,完成额\n甲,10000000000000000000000\n乙,2\n", encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    assert main(["score", str(scheme), str(data), "--format", "json"], out=out, err=err) == 0, err.getvalue()
    text = out.getvalue()
    assert '"value": 3333333333333333333333.333333,' in text
    document = json.loads(text, parse_float=Decimal)
    first, second = document["units"]
    assert first["indicators"][0]["value"] == Decimal("3333333333333333333333.333333")
    assert second["total"] == Decimal("0.666667")  # (a float that holds its digits: as before)

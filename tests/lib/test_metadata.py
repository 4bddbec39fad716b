"""The one markdown preview builder: escaped cells, numeric alignment, limits, empty previews."""

from decimal import Decimal

import pytest

from affiliate_assets.lib.metadata import markdown_preview, markdown_table


def test_table_escapes_pipes_and_line_breaks_and_right_aligns_numbers():
    rows = [("Fone | Bluetooth", Decimal("129.90"), 3, None), ("linha 1\nlinha 2", 1.5, None, "ok")]
    assert markdown_table(rows, ["produto", "preço", "qtd", "nota"]).splitlines() == [
        "| produto | preço | qtd | nota |",
        "|---|---:|---:|---|",
        "| Fone \\| Bluetooth | 129.90 | 3 |  |",
        "| linha 1 / linha 2 | 1.5 |  | ok |",
    ]


def test_limit_align_and_empty():
    rows = ({"n": i} for i in range(100))  # any iterable, consumed lazily up to the limit
    table = markdown_table(([r["n"], f"R$ {r['n']},00"] for r in rows), ["n", "valor"], 3, align="lr")
    assert table.splitlines()[1] == "|---|---:|" and len(table.splitlines()) == 5
    assert markdown_table([], ["a"], empty="nothing new") == "nothing new"
    assert markdown_table([], ["a", "b"]) == "| a | b |\n|---|---|"
    assert markdown_preview([(1, True)], ["n", "flag"]).value.splitlines()[1] == "|---:|---|"  # bools are not numbers


@pytest.mark.parametrize(("rows", "kwargs"),
                         [([(1, 2, 3)], {}), ([(1, 2)], {"align": "l"}), ([(1, 2)], {"align": "lx"})])
def test_shape_mistakes_are_errors(rows, kwargs):
    with pytest.raises(ValueError):
        markdown_table(rows, ["a", "b"], **kwargs)

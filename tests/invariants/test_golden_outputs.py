"""Golden outputs: every case's tables equal the committed ones, exactly.

A difference means the model's behaviour changed. If that was meant, regenerate with
``.venv/bin/python tests/golden_cases.py`` and explain each changed table in the commit.
"""

import pandas as pd
import pytest
from golden_cases import GOLDEN_DIR, TABLES, cases, comparable, golden_path, read_golden, tables

CASES = dict(cases())


@pytest.mark.parametrize("case", sorted(CASES))
def test_tables_equal_golden(case: str) -> None:
    fresh = tables(CASES[case]())
    for table in TABLES:
        pd.testing.assert_frame_equal(
            comparable(fresh[table]), read_golden(case, table), check_exact=True, obj=table
        )


def test_every_golden_file_has_a_case() -> None:
    expected = {golden_path(case, table) for case in CASES for table in TABLES}
    assert set(GOLDEN_DIR.glob("*.parquet")) == expected

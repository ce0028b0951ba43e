import cn2an
import pytest
from hypothesis import given
from hypothesis import strategies as st

from handlers.understanding.numerals import chinese_to_int, parse_number


@pytest.mark.parametrize(("text", "value"), [
    ("两百", 200), ("一千二", 1200), ("三百五十", 350), ("三百五", 350), ("1.5万", 15000), ("5千", 5000),
    ("一百零五", 105), ("一千零二", 1002), ("一万零五百", 10500), ("一亿二千万", 120_000_000),
    ("壹仟贰佰", 1200), ("一二三", 123), ("1200", 1200), ("两万五", 25000), ("十五", 15), ("十", 10),
])
def test_known_values(text, value):
    assert parse_number(text) == value


@pytest.mark.parametrize("text", ["", "万", "一二百", "百千", "abc"])
def test_malformed_is_none(text):
    assert parse_number(text) is None


@given(st.integers(min_value=0, max_value=99_999_999))
def test_agrees_with_cn2an_on_its_own_output(value):
    # cn2an writes the canonical form; our converter must read it back
    assert chinese_to_int(cn2an.an2cn(value)) == value

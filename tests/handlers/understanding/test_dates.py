from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from handlers.understanding.dates import find_dates

MONDAY = date(2026, 11, 23)


def resolve(text, today=MONDAY):
    found = find_dates(text, today)
    return found[0].value if found else None


@pytest.mark.parametrize(("text", "value"), [
    ("今天", date(2026, 11, 23)), ("昨天", date(2026, 11, 22)), ("前天", date(2026, 11, 21)),
    ("明天", date(2026, 11, 24)), ("后天", date(2026, 11, 25)), ("大后天", date(2026, 11, 26)),
    ("3天后", date(2026, 11, 26)), ("一周后", date(2026, 11, 30)), ("两周后", date(2026, 12, 7)),
    ("本周五", date(2026, 11, 27)), ("这周五", date(2026, 11, 27)), ("周五", date(2026, 11, 27)),
    ("下周三", date(2026, 12, 2)), ("12月5号", date(2026, 12, 5)), ("12月5日", date(2026, 12, 5)),
    ("12.5", date(2026, 12, 5)), ("12/5", date(2026, 12, 5)), ("十二月五号", date(2026, 12, 5)),
    ("月底", date(2026, 11, 30)), ("1月3号", date(2027, 1, 3)), ("11月20号", date(2027, 11, 20)),
])
def test_contract_forms(text, value):
    assert resolve(text) == value


def test_weekday_said_on_that_day_is_today_and_past_weekday_rolls_over():
    friday = date(2026, 11, 27)
    assert resolve("周五", friday) == friday
    assert resolve("本周三", friday) == date(2026, 12, 2)
    assert resolve("下周三", friday) == date(2026, 12, 2)


def test_month_day_said_on_that_day_is_today():
    assert resolve("12月5号", date(2026, 12, 5)) == date(2026, 12, 5)


@pytest.mark.parametrize("text", ["12.5%", "1.5万件", "单价12.5元", "3号线", "12.50"])
def test_numbers_that_are_not_dates(text):
    assert resolve(text) is None


@pytest.mark.parametrize("text", ["镀锌板1.5厚的", "钢丝绳3.2粗", "板厚2.5mm", "管子1.8寸", "铝板1.2毫"])
def test_a_decimal_size_is_no_date(text):
    # a thickness, a gauge or a diameter after a material ("冷轧板1.2厚") is no 1 February
    assert resolve(text) is None


FORECAST_FORMS = st.sampled_from([
    "今天", "明天", "后天", "大后天", "3天后", "一周后", "两周后", "本周五", "这周一", "周日", "周三",
    "下周三", "下周一", "12月5号", "1月1日", "2月28号", "12.5", "6/30", "月底", "十二月三十一号",
])


@given(FORECAST_FORMS, st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31)))
def test_forecast_forms_never_resolve_into_the_past(text, today):
    value = resolve(text, today)
    assert value is not None and value >= today
    assert value - today <= timedelta(days=366)


def test_weekend_and_days_of_this_or_next_month():
    from datetime import date as _date

    from handlers.understanding.dates import find_dates as _find

    today = _date(2026, 12, 2)   # a Wednesday
    assert [d.value for d in _find("周末", today)] == [_date(2026, 12, 5)]
    assert [d.value for d in _find("下周末", today)] == [_date(2026, 12, 12)]
    assert [d.value for d in _find("本月25号", today)] == [_date(2026, 12, 25)]
    assert [d.value for d in _find("下个月5号", today)] == [_date(2027, 1, 5)]


@pytest.mark.parametrize("text", ["焊接怕是赶不上周五了", "马上周五了还没装", "跟得上周四的交期吗", "配件装上周五能发"])
def test_shang_after_a_verb_is_its_complement_not_last_week(text):
    # 赶不上 / 马上 / 跟得上 / 装上 end in 上: the weekday after them is this week's
    assert resolve(text) >= MONDAY


@pytest.mark.parametrize("text", ["上周五已经发了", "记得上周五说过", "跟上周五一样"])
def test_last_week_still_read_where_shang_starts_the_date(text):
    assert resolve(text) < MONDAY


@pytest.mark.parametrize(("text", "value"), [
    ("前日", date(2026, 11, 21)), ("喷涂前日搞定的", date(2026, 11, 21)), ("大前日发的货", date(2026, 11, 20)),
    ("前晚装的车", date(2026, 11, 21)), ("焊接系前日做完", date(2026, 11, 21)),
])
def test_qianri_is_the_day_before_yesterday(text, value):
    # Cantonese (and written) 前日 / 大前日 / 前晚 name days, like 前天 / 大前天
    assert resolve(text) == value


@pytest.mark.parametrize("text", ["提前日期还没定", "目前日产两百台", "之前日报写错了", "以前晚上不加班"])
def test_qian_closing_another_word_is_no_day(text):
    assert resolve(text) is None


@pytest.mark.parametrize(("text", "value"), [
    ("should be ready by Nov 30", date(2026, 11, 30)), ("ETA Dec. 4th for the frames", date(2026, 12, 4)),
    ("we plan to ship on 3rd December", date(2026, 12, 3)), ("welding done around January 8", date(2027, 1, 8)),
    ("packing finishes May 6", date(2027, 5, 6)), ("装配估计 Dec 2 搞完", date(2026, 12, 2)),
])
def test_english_month_and_day(text, value):
    # a relayed mail or a mixed message names the day in English: this year's, or next year's once past
    assert resolve(text) == value


@pytest.mark.parametrize("text", ["we may 2 more weeks", "Decent 5 sets left", "Nov 2026 batch", "dec 5 pcs short"])
def test_english_words_that_are_no_date(text):
    # the modal "may", a word that starts like a month, a month with a year, a count after a month
    assert resolve(text) is None


@pytest.mark.parametrize(("text", "value"), [
    ("28号开始总装", date(2026, 11, 28)), ("5号开工", date(2026, 12, 5)), ("二十六号动工", date(2026, 11, 26)),
])
def test_a_day_of_the_month_before_a_start(text, value):
    assert resolve(text) == value


@pytest.mark.parametrize("text", ["今早入库完了", "今晨装的车", "今儿个喷完"])
def test_this_morning_is_today(text):
    assert resolve(text) == MONDAY

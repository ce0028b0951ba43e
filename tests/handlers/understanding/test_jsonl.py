import io
import json
from datetime import datetime, timedelta, timezone

from handlers.understanding.jsonl import parse_jsonl, parse_texts

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=timezone(timedelta(hours=8)))


def test_parse_texts_one_object_per_text(parser):
    rows = list(parse_texts(parser, ["订单123 焊接完成", "收到"], NOW))
    assert [row["text"] for row in rows] == ["订单123 焊接完成", "收到"]
    assert rows[0]["now"] == "2026-11-23T10:00:00+08:00"
    assert rows[0]["items"][0]["order_no"] == "123" and rows[1]["items"] == []
    assert set(rows[0]["items"][0]) == {"intent", "order_no", "milestone", "status", "percent",
                                        "field", "op", "value", "category", "date"}


def test_jsonl_keeps_input_fields_and_order(parser):
    lines = [
        json.dumps({"text": "124 涂装80%", "now": "2026-11-23T10:07:00+08:00", "id": 7}, ensure_ascii=False),
        json.dumps({"text": "123 预计明天发货"}, ensure_ascii=False),
    ]
    out = io.StringIO()
    assert parse_jsonl(parser, lines, out, lambda: NOW) == 0
    first, second = [json.loads(line) for line in out.getvalue().splitlines()]
    assert first["id"] == 7 and first["items"][0]["percent"] == 80
    assert second["items"][0]["date"] == "2026-11-24"   # default now was used
    assert "now" not in second


def test_bad_line_yields_error_and_run_goes_on(parser):
    lines = ['{"text": "123 焊接完成"}', "{not json", '{"text": 5}', '{"text": "x", "now": "2026-11-23"}',
             '{"text": "124 焊接完成"}']
    out = io.StringIO()
    assert parse_jsonl(parser, lines, out, lambda: NOW) == 1
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    assert len(rows) == 5
    assert [("error" in row) for row in rows] == [False, True, True, True, False]
    assert rows[4]["items"][0]["order_no"] == "124"

"""`gendan ledger export|import|template`, run as a real process."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from tests.bot.test_cli import clean_pg, env, gendan  # noqa: F401  (the fixtures of the CLI tests)

NOW = "2026-11-23T10:00:00+08:00"


@pytest.mark.usefixtures("clean_pg")
def test_template_export_and_import_from_the_command_line(env: dict[str, str], tmp_path: Path) -> None:
    template = gendan(env, "ledger", "template", "--out", str(tmp_path / "模板.xlsx"))
    assert template.returncode == 0, template.stderr
    assert load_workbook(tmp_path / "模板.xlsx").sheetnames == ["台账", "说明"]

    made = gendan(env, "order", "add", "--no", "123", "--customer", "华东机械", "--product", "搅拌机", "--qty", "50台",
                  "--due", "2026-12-20", "--now", NOW)
    assert made.returncode == 0, made.stderr
    export = gendan(env, "ledger", "export", "--now", NOW, cwd=tmp_path)
    assert export.returncode == 0, export.stderr
    assert "已导出 1 个订单" in export.stdout and (tmp_path / "台账-20261123.xlsx").exists()

    book = load_workbook(tmp_path / "台账-20261123.xlsx")
    sheet = book["台账"]
    sheet.append(["124", "南方重工", "输送机", None, "20套", None, "2026/12/22"])
    sheet.append(["125", "南方重工", "输送机", None, 0, None, "2026/12/22"])
    book.save(tmp_path / "改.xlsx")

    dry = gendan(env, "ledger", "import", str(tmp_path / "改.xlsx"), "--dry-run", "--now", NOW)
    assert dry.returncode == 1, "an error row makes the exit status non-zero"
    assert "第2行 123：无变化" in dry.stdout and "第3行 124：新建" in dry.stdout and "第4行 125：错误" in dry.stdout
    assert "预览（没有改动任何数据）：改.xlsx 共 3 行，将新建 1，将更新 0，无变化 1，错误 1" in dry.stdout
    assert dry.stderr == "", "no progress bar when stderr is not a terminal"

    real = gendan(env, "ledger", "import", str(tmp_path / "改.xlsx"), "--now", NOW,
                  "--errors", str(tmp_path / "错误.xlsx"))
    assert "导入完成：改.xlsx 共 3 行，新建 1，更新 0，无变化 1，错误 1" in real.stdout, real.stderr
    errors = list(load_workbook(tmp_path / "错误.xlsx").active.iter_rows(values_only=True))
    assert errors[0][-1] == "错误原因" and errors[1][0] == "125" and "数量必须大于 0" in errors[1][-1]
    shown = gendan(env, "show", "124")
    assert "输送机 20套" in shown.stdout


@pytest.mark.usefixtures("clean_pg")
def test_bad_input_gets_a_one_line_answer(env: dict[str, str], tmp_path: Path) -> None:
    missing = gendan(env, "ledger", "import", str(tmp_path / "没有.xlsx"))
    assert missing.returncode == 2 and "找不到文件 没有.xlsx" in missing.stderr
    wb = Workbook()
    wb.active.append(["名称", "数量"])
    wb.save(tmp_path / "无表头.xlsx")
    headless = gendan(env, "ledger", "import", str(tmp_path / "无表头.xlsx"))
    assert headless.returncode == 2 and "没有找到表头" in headless.stderr
    unknown = gendan(env, "ledger", "export", "--customer", "不存在", "--out", str(tmp_path / "x.xlsx"))
    assert unknown.returncode == 2 and "没有名为「不存在」的客户" in unknown.stderr

"""Enterprise workbooks for tests (and the benchmark): good ones, and each kind of bad one."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from anjian.utilities.testing import valid_credit_code

HEADERS = [
    "统一社会信用代码", "单位名称", "地址", "所属镇街", "所属社区/村", "行业领域", "监管部门", "规模以上", "重点企业",
    "从业人员数", "法定代表人", "安全负责人", "安全负责人电话", "纬度", "经度", "经营状态", "标准化等级",
]


def enterprise_row(serial: int = 1, **overrides: Any) -> dict[str, Any]:
    """A valid row for the test world (北镇 / 北一社区, 非煤矿山) with serial-based code and name."""
    row = {
        "统一社会信用代码": valid_credit_code(10_000 + serial),
        "单位名称": f"测试企业{serial}有限公司",
        "地址": f"北镇工业路{serial}号",
        "所属镇街": "北镇",
        "所属社区/村": "北一社区",
        "行业领域": "非煤矿山",
        "监管部门": "矿山监管局",
        "规模以上": "是",
        "重点企业": "否",
        "从业人员数": 10 + serial % 90,
        "法定代表人": "张三",
        "安全负责人": "李四",
        "安全负责人电话": "13800138000",
        "纬度": 34.75,
        "经度": 113.62,
        "经营状态": "正常经营",
        "标准化等级": "三级",
    }
    row.update(overrides)
    return row


def good_rows(n: int, start: int = 1, **overrides: Any) -> list[dict[str, Any]]:
    return [enterprise_row(i, **overrides) for i in range(start, start + n)]


def build_workbook(rows: Iterable[dict[str, Any] | Sequence[Any]], headers: Sequence[str] | None = HEADERS,
                   path: str | Path | None = None) -> bytes:
    """An .xlsx (openpyxl, normal mode) with ``headers`` and ``rows`` (dicts by header or lists).
    Returns the bytes, and writes them to ``path`` if given."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "生产经营单位"
    if headers is not None:
        sheet.append(list(headers))
    for row in rows:
        if isinstance(row, dict):
            sheet.append([row.get(h) for h in (headers or list(row))])
        else:
            sheet.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    data = buffer.getvalue()
    if path is not None:
        Path(path).write_bytes(data)
    return data


def write_large_workbook(path: str | Path, n: int, *, towns: Sequence[tuple[str, Sequence[str]]] = (("北镇", ("北一社区",)),),
                         sectors: Sequence[str] = ("非煤矿山",), departments: Sequence[str] = ("",),
                         code_prefix: str = "91410199MA") -> None:
    """A large valid workbook written in constant memory (XlsxWriter), for background imports and the
    benchmark: rows spread over ``towns`` (name, communities), ``sectors`` and ``departments``."""
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet("生产经营单位")
    sheet.write_row(0, 0, HEADERS)
    statuses = ("正常经营", "正常经营", "正常经营", "停产停业", "关闭")
    grades = ("无", "三级", "二级", "小微", "一级")
    for i in range(n):
        town, communities = towns[i % len(towns)]
        community = communities[(i // len(towns)) % len(communities)] if communities else ""
        sheet.write_row(i + 1, 0, [
            valid_credit_code(i + 1, code_prefix), f"批量测试企业{i + 1}有限公司", f"工业路{i + 1}号", town, community,
            sectors[i % len(sectors)], departments[i % len(departments)], "是" if i % 3 == 0 else "否",
            "是" if i % 10 == 0 else "否", i % 500, "张三", "李四", "13800138000",
            34.7 + (i % 1000) / 10000, 113.6 + (i % 1000) / 10000, statuses[i % 5], grades[i % 5],
        ])
    book.close()

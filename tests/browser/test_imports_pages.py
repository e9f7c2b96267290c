"""An organisation admin imports a file of answers in the demo: upload, mapping, progress (run by the worker that
`socle demo` starts), result; then a file with three bad rows, which imports nothing and lists the three errors.
On a computer and on a 360 px phone; axe-core finds no serious or critical violation."""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import yaml

from socle.benchmarks.imports import lcep_entry_csv
from socle.frameworks.demo import horizon_document, lcep_text
from socle.lib.frameworks.merge import effective
from tests.browser.conftest import Demo, follow
from tests.browser.test_demo_pages import _context, _serious_violations, _sign_in

ORG_ADMIN = "direction@horizon.socle.example"


def _entry_document() -> dict[str, Any]:
    horizon = SimpleNamespace(slug="horizon-solidaire", name="Horizon Solidaire")
    return effective(yaml.safe_load(lcep_text()), horizon_document(horizon))  # type: ignore[arg-type]


def _files(tmp_path: Path) -> tuple[Path, Path]:
    good = tmp_path / "saisie-papier.csv"
    good.write_bytes(lcep_entry_csv(_entry_document(), 12, seed=3))
    lines = good.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(";")
    bad_lines = [lines[0], *lines[1:6]]
    for row, (column, value) in zip(
        (2, 3, 5), (("sexe", "peut-être"), ("securite", ""), ("urgences_nb", "250")), strict=True
    ):
        cells = bad_lines[row - 1].split(";")
        cells[header.index(column)] = value
        cells[0] = f"B{row}"
        bad_lines[row - 1] = ";".join(cells)
    bad = tmp_path / "trois-erreurs.csv"
    bad.write_text("\n".join(bad_lines) + "\n", encoding="utf-8")
    return good, bad


def _import(page: Any, demo: Demo, path: Path, screenshot_dir: Path, name: str) -> None:
    page.goto(demo.url + "o/horizon-solidaire/campaigns/")
    page.locator("table a").first.click()
    follow(page, page.locator("a[href$='/import/']"))
    assert page.locator("input[type=file]").count() == 1
    assert _serious_violations(page) == []
    page.screenshot(path=str(screenshot_dir / f"import-{name}-upload.png"), full_page=True)
    page.set_input_files("input[type=file]", str(path))
    page.locator("select[name=questionnaire]").select_option("entry")
    page.locator("select[name=establishment]").select_option(index=1)
    follow(page, page.locator("main form button[type=submit]"))
    assert re.search(r"/imports/[0-9a-f-]+/mapping/$", page.url), page.url
    assert page.locator("#col-0").input_value() == "@row_id"
    assert page.locator("#col-1").input_value() == "sexe"
    assert _serious_violations(page) == []
    page.screenshot(path=str(screenshot_dir / f"import-{name}-mapping.png"), full_page=True)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/imports/[0-9a-f-]+/$"), timeout=60_000)
    assert _serious_violations(page) == []
    page.screenshot(path=str(screenshot_dir / f"import-{name}-result.png"), full_page=True)


def test_an_org_admin_imports_a_file_then_a_file_with_three_bad_rows(
    demo: Demo, browser: Any, screenshot_dir: Path, tmp_path: Path
) -> None:
    good, bad = _files(tmp_path)
    context = _context(browser)
    page = context.new_page()
    _sign_in(page, demo, ORG_ADMIN)

    _import(page, demo, good, screenshot_dir, "good")
    stats = [int(value) for value in page.locator(".stat-value").all_inner_texts()]
    assert stats == [12, 12, 0, 0]  # rows, imported, already imported, errors
    assert page.locator("a[href$='/codes.csv']").count() == 1
    codes = page.request.get(demo.url + (page.locator("a[href$='/codes.csv']").get_attribute("href") or "")[1:])
    assert codes.ok and len(codes.text().strip().splitlines()) == 13

    _import(page, demo, bad, screenshot_dir, "three-errors")
    stats = [int(value) for value in page.locator(".stat-value").all_inner_texts()]
    assert stats == [5, 0, 0, 3]
    rows = page.locator("section table tbody tr")
    assert rows.count() == 3
    assert [rows.nth(i).locator("td").nth(1).inner_text() for i in range(3)] == ["sexe", "securite", "urgences_nb"]
    assert [rows.nth(i).locator("td").nth(0).inner_text() for i in range(3)] == ["2", "3", "5"]
    assert rows.nth(2).locator("td").nth(2).inner_text() == "250"
    report = page.request.get(demo.url + (page.locator("a[href$='/errors.csv']").get_attribute("href") or "")[1:])
    assert report.ok and len(report.text().strip().splitlines()) == 4
    context.close()


def test_the_import_pages_work_on_a_phone(demo: Demo, browser: Any, screenshot_dir: Path, tmp_path: Path) -> None:
    _good, bad = _files(tmp_path)
    context = _context(browser, phone=True)
    page = context.new_page()
    _sign_in(page, demo, ORG_ADMIN)
    _import(page, demo, bad, screenshot_dir, "phone")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"the result page is {width}px wide on a 360px phone"
    context.close()

"""The workbench end to end in headless Chromium (Debian's /usr/bin/chromium, driven by Playwright):
the server is started here on a free local port; each test saves a screenshot under
tests/screenshots/ (git-ignored). Skipped only where chromium is not installed (the Makefile's
test target and .ci/run install it)."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (make test installs it)")

SHOTS = Path(__file__).parent / "screenshots"
DATA = json.loads((Path(__file__).parent / "fixtures" / "web" / "taiyuan-two-bills.json").read_text(encoding="utf-8"))
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="module")
def base():
    from medaid_logic.web.settings import Settings
    from web_server import running
    with running(Settings(audit_search=False)) as url:   # static audit checks: the suite stays fast
        yield url


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    ctx = browser.new_context(viewport={"width": 1200, "height": 900}, locale="zh-CN")
    pg = ctx.new_page()
    pg.on("dialog", lambda d: (_ for _ in ()).throw(AssertionError(f"a script ran: {d.message}")))
    yield pg
    ctx.close()


def shot(page, name: str, full: bool = True, height: int | None = None):
    SHOTS.mkdir(exist_ok=True)
    clip = {"x": 0, "y": 0, "width": 1200, "height": height} if height else None
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=full, clip=clip)


def enter_taiyuan(page, base):
    f = DATA["form"]
    page.goto(base + "/case?jurisdiction=taiyuan")
    page.fill("#case_id", f["case_id"])
    page.fill("#year", f["year"])
    for k in ("birth_date", "hukou", "residence_place", "residence_since", "insured_in"):
        page.fill(f"#{k}", f[k])
    page.click("#add-identity")                      # a second identity row (server-side: works without JS)
    for n, ident in enumerate(f["identities"]):
        page.select_option(f"#id-{n}-category", ident["category"])
        page.fill(f"#id-{n}-since", ident["since"])
    page.click("#add-claim")
    for n, c in enumerate(f["claims"]):
        page.fill(f"#cl-{n}-claim_id", c["claim_id"])
        page.select_option(f"#cl-{n}-kind", c["kind"])
        for k in ("admitted", "discharged", "total_cost", "in_policy_cost", "basic_insurance_paid",
                  "critical_illness_paid", "other_paid"):
            page.fill(f"#cl-{n}-{k}", c[k])
        page.select_option(f"#cl-{n}-local", c["local"])
        page.select_option(f"#cl-{n}-hospital_class", c["hospital_class"])
    for k, v in f["stats"].items():
        page.fill(f"#stat-{k}", v)
    page.click("#evaluate")
    page.wait_for_selector(".total")


def test_enter_a_taiyuan_applicant_and_see_the_amounts(page, base):
    enter_taiyuan(page, base)
    e = DATA["expect"]
    shot(page, "case-result")
    shot(page, "case-result-top", height=1750)      # the README's picture (docs/workbench-case.png)
    assert page.locator("#bill-c1 .aid strong").inner_text() == e["c1"]
    assert page.locator("#bill-c2 .aid strong").inner_text() == e["c2"]
    assert e["total"] in page.locator(".total .big").inner_text()
    assert page.locator("#bill-c1 .applied-cat").inner_text() == e["applied"]
    assert page.locator("#precedence tr.chosen").inner_text().startswith(e["applied"])


def test_why_on_a_bill_shows_its_clause_text(page, base):
    enter_taiyuan(page, base)
    page.click("#bill-c1 .aid a.why")
    page.wait_for_selector("#why-tree")
    shot(page, "why-c1")
    assert "(五)返贫致贫人口。不设起付标准，由医疗救助基金按70%比例给予救助" in page.locator("#why-tree").inner_text()


def test_what_if_an_identity_ends_earlier(page, base):
    enter_taiyuan(page, base)
    page.fill("#wi-id-1-until", "2023-05-01")         # returned_poor ends before bill c2
    page.click("#whatif-submit")
    page.wait_for_selector("#whatif-diff")
    shot(page, "what-if")
    rows = {r.locator("td").nth(0).inner_text(): r for r in page.locator("#whatif-diff tbody tr").all()}
    c2 = rows["费用 c2"]
    assert c2.locator("td").nth(1).inner_text().startswith(DATA["expect"]["c2"])
    assert c2.locator("td").nth(2).inner_text().startswith(DATA["expect"]["c2_after_until_2023_05_01"])
    assert rows["全年救助合计"].locator("td").nth(2).inner_text() == DATA["expect"]["total_after"]


def test_filter_the_audit_to_wuxi(page, base):
    page.goto(base + "/audit")
    page.select_option("#f-jurisdiction", "wuxi")     # JS re-submits the filter
    page.wait_for_url("**/audit?jurisdiction=wuxi**")
    shot(page, "audit-wuxi", full=False)
    findings = page.locator("#findings > li").all()
    assert findings
    assert all("wuxi" in f.get_attribute("data-jurisdictions").split() for f in findings)
    assert page.locator("#coverage thead th").all_inner_texts() == ["状态", "无锡市"]


def test_find_a_locator_in_the_law_browser(page, base):
    page.goto(base + "/law")
    page.select_option("#l-jurisdiction", "taiyuan")
    page.fill("#l-q", "第八条(三)")
    page.click("#l-submit")
    page.wait_for_selector("#law-results")
    shot(page, "law-8-3")
    results = page.locator("#law-results > li.law-clause")
    assert results.count() == 1
    assert results.first.locator(".locator").inner_text() == "第八条(三)"
    assert "低保边缘家庭成员" in results.first.locator(".clause-text").inner_text()


def test_switch_to_english(page, base):
    page.goto(base + "/case?example=taiyuan-dibao-returned-poor")
    page.click("#lang-switch")
    page.wait_for_selector("html[lang=en]")
    shot(page, "case-form-en")
    assert page.locator("h1").inner_text() == "Enter an applicant"
    page.click("#evaluate")
    page.wait_for_selector(".total")
    shot(page, "case-result-en")
    assert "Total aid" in page.locator(".total").inner_text()
    assert "返贫" not in page.locator("#bill-c1 .applied-cat").inner_text()


def test_markup_in_a_case_field_shows_as_text(page, base):
    case = json.loads((Path(__file__).parents[1] / "examples" / "taiyuan-dibao-returned-poor.json").read_text())
    case["case_id"] = "<script>alert(1)</script><b>x</b>"
    page.goto(base + "/case")
    page.fill("#paste-json", json.dumps(case))
    page.click("#open-json")
    page.wait_for_selector(".total")
    shot(page, "markup-as-text")
    assert page.locator("h1 .case-id").inner_text() == case["case_id"]
    assert page.locator("h1 b").count() == 0


def test_the_form_works_without_javascript(browser, base):
    ctx = browser.new_context(java_script_enabled=False)
    page = ctx.new_page()
    try:
        enter_taiyuan(page, base)
        shot(page, "no-js-result")
        assert DATA["expect"]["total"] in page.locator(".total .big").inner_text()
    finally:
        ctx.close()

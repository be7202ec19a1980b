"""The participant page in a real browser: type a flawed statement, see the advice, fix it.

Drives the system's Chromium (/usr/bin/chromium, never a downloaded browser)
headless through Playwright, against `statementkit serve` with the model and a
fresh triage queue. In English, German and French: the keyboard only types a
flawed statement; the live panel must show the problem (its code), the
highlighted span and the fix in the page's language; then the statement is
fixed and the panel must say it passes. Once, the fixed statement is submitted
with the keyboard (Tab, Enter) and the page must confirm it. Screenshots go
to benchmarks/results/serve-screens/. Not part of the test run (CI has no
browser).

    python benchmarks/serve_browser.py [--chromium /usr/bin/chromium]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from _common import RESULTS, print_table, write_result
from _server import ROOT, running_server

SCREENS = RESULTS / "serve-screens"

#: (page language, flawed statement, the code it must get, the span to see marked, the fixed statement)
CASES = [
    ("en", "Europeana should fine-tune an open LLM on its metadata.", "jargon", "fine-tune",
     "Europeana should train an open AI model further on its own metadata."),
    ("de", "Wie viele Museen in Europa nutzen bereits KI-Werkzeuge?", "no_standpoint",
     "Wie viele Museen in Europa nutzen bereits KI-Werkzeuge?",
     "Museen in Europa sollten offenlegen, welche KI-Werkzeuge sie nutzen."),
    ("fr", "Il faut faire quelque chose avec l'IA dans les musées.", "vague", "quelque chose avec l'IA",
     "Les musées devraient indiquer clairement quelles notices ont été rédigées par l'IA."),
]


def run(chromium: str) -> list[dict]:
    from playwright.sync_api import expect, sync_playwright

    SCREENS.mkdir(parents=True, exist_ok=True)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "assembly.db"
        from statementkit.queue import Queue

        Queue.create(db, published=ROOT / "corpus" / "paper-statements.jsonl").close()
        with running_server("--queue", str(db), token="browser-test-token") as base, sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=chromium, headless=True, args=["--no-sandbox"])
            page = browser.new_page(viewport={"width": 760, "height": 720}, device_scale_factor=1)
            for n, (lang, flawed, code, span, fixed) in enumerate(CASES):
                page.goto(f"{base}/?lang={lang}")
                expect(page.locator("html")).to_have_attribute("lang", lang)
                page.keyboard.press("Tab")  # keyboard only: the language links, then the text field
                while page.evaluate("document.activeElement.id") != "sk-text":
                    page.keyboard.press("Tab")
                started = time.perf_counter()
                page.keyboard.type(flawed, delay=15)
                problem = page.locator(f"#sk-problems li[data-code='{code}']").first
                expect(problem).to_be_visible(timeout=10_000)
                advice_s = time.perf_counter() - started
                expect(page.locator("#sk-where mark").first).to_have_text(span)
                expect(page.locator("#sk-advice")).to_have_class("sk-advice sk-reject")
                fix_text = problem.locator(".sk-fix").inner_text()
                page.screenshot(path=str(SCREENS / f"{lang}-1-flawed.png"))
                page.keyboard.press("Control+A")
                page.keyboard.type(fixed, delay=5)
                expect(page.locator("#sk-advice")).to_have_class("sk-advice sk-accept", timeout=10_000)
                expect(page.locator("#sk-problems li")).to_have_count(0)
                expect(page.locator("#sk-where")).to_be_hidden()
                summary = page.locator("#sk-status").inner_text()
                submitted = ""
                if n == 0:  # submit with the keyboard: Tab to the button, Enter
                    page.keyboard.press("Tab")
                    assert page.evaluate("document.activeElement.id") == "sk-submit"
                    page.keyboard.press("Enter")
                    expect(page.locator("#sk-result")).to_contain_text("web-", timeout=20_000)
                    submitted = page.locator("#sk-result").inner_text()
                page.screenshot(path=str(SCREENS / f"{lang}-2-fixed.png"))
                rows.append({"lang": lang, "code": code, "marked": span, "fix": fix_text,
                             "advice_after_typing_s": round(advice_s, 2), "passes_after_fix": summary,
                             "submitted": submitted})
            browser.close()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    args = parser.parse_args()
    if not Path(args.chromium).exists():
        raise SystemExit(f"{args.chromium}: no Chromium here (apt-get install chromium); nothing downloaded")
    rows = run(args.chromium)
    print_table(["lang", "code", "marked span", "first key to advice (s, typing included)", "after the fix"],
                [[r["lang"], r["code"], r["marked"], r["advice_after_typing_s"], r["passes_after_fix"]] for r in rows])
    for r in rows:
        print(f"{r['lang']} fix shown: {r['fix']}")
        if r["submitted"]:
            print(f"{r['lang']} submitted: {r['submitted']}")
    shots = sorted(p.name for p in SCREENS.glob("*.png"))
    print(f"screenshots in {SCREENS.relative_to(ROOT)}: {', '.join(shots)}")
    write_result("serve_browser", {"cases": rows, "screenshots": shots})


if __name__ == "__main__":
    main()

"""Render assembly reports and look at them in a real (headless) browser.

For a bundled pol.is export and for the paper's quoted statements: build the
report, time it, load it in Debian's chromium with the network off, check
from the DOM after scripts ran that every section is there and that plotly
drew every figure offline, and save a screenshot of the first screens.

    python benchmarks/report_screenshot.py [--polis tests/fixtures/polis/canadian-electoral-reform]

Writes benchmarks/results/report_screenshot.json and
benchmarks/results/report-<name>.png. Needs chromium (apt-get install chromium).
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars",
         "--virtual-time-budget=10000"]


def headless(browser: str, profile: Path, *args: str) -> str:
    out = subprocess.run([browser, *FLAGS, f"--user-data-dir={profile}", *args], capture_output=True, text=True,
                         timeout=300)
    return out.stdout


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--polis", type=Path, default=ROOT / "tests" / "fixtures" / "polis" / "canadian-electoral-reform")
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results")
    args = ap.parse_args()
    browser = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if browser is None:
        sys.exit("needs chromium: apt-get install -y chromium")

    from statementkit.report.data import build_report_data
    from statementkit.report.html import SECTIONS, render_report

    cases = {"polis": [args.polis], "paper": [ROOT / "corpus" / "paper-statements.jsonl"]}
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, sources in cases.items():
            t = time.perf_counter()
            data = build_report_data(sources)
            html = render_report(data, max_rows=12)
            seconds = time.perf_counter() - t
            page = Path(tmp) / f"{name}.html"
            page.write_text(html, encoding="utf-8")
            dom = headless(browser, Path(tmp) / f"{name}-dom", "--dump-dom", page.as_uri())
            figure_ids = re.findall(r'<div id="([^"]+)" class="plotly-graph-div"', html)
            figures = len(figure_ids)
            # plotly.js marks every div it drew into with js-plotly-plot
            drawn = sum(f'id="{f}" class="plotly-graph-div js-plotly-plot"' in dom for f in figure_ids)
            sections = {s: f'id="{s}"' in dom for s, _ in SECTIONS}
            shot = args.out / f"report-{name}.png"
            headless(browser, Path(tmp) / f"{name}-shot", "--window-size=1280,1800", f"--screenshot={shot}",
                     page.as_uri())
            png = shot.read_bytes() if shot.exists() else b""
            size = struct.unpack(">II", png[16:24]) if png[:8] == b"\x89PNG\r\n\x1a\n" else None
            results.append({
                "report": name, "sources": [str(Path(s).relative_to(ROOT)) if Path(s).is_relative_to(ROOT) else str(s)
                                            for s in sources],
                "build_and_render_seconds": round(seconds, 2), "html_mb": round(len(html.encode()) / 1e6, 2),
                "statements": len(data.statements), "categories": dict(data.category_counts()),
                "figures": figures, "figures_drawn_by_browser": drawn, "sections_in_dom": sections,
                "all_sections": all(sections.values()), "all_figures_drawn": drawn == figures,
                "screenshot": str(shot.relative_to(ROOT)), "screenshot_px": list(size) if size else None,
                "screenshot_kb": round(len(png) / 1024),
            })
    (args.out / "report_screenshot.json").write_text(json.dumps({"benchmark": "report_screenshot",
                                                                 "results": results}, indent=2) + "\n")
    print(f"{'report':<8}{'seconds':>9}{'MB':>7}{'figures':>9}{'drawn':>7}  sections  screenshot")
    for r in results:
        print(f"{r['report']:<8}{r['build_and_render_seconds']:>9}{r['html_mb']:>7}{r['figures']:>9}"
              f"{r['figures_drawn_by_browser']:>7}  {'all' if r['all_sections'] else 'MISSING'}       {r['screenshot']}")


if __name__ == "__main__":
    main()

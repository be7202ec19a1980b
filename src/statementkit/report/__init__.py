"""The assembly report: what goes in it (`data`) and the self-contained HTML page (`html`, `figures`).

    from statementkit.report import build_report_data, write_report
    write_report(build_report_data(["path/to/polis-export/"]), "report.html")
"""

from statementkit.report.data import ReportData, build_report_data
from statementkit.report.html import render_report, write_report

__all__ = ["ReportData", "build_report_data", "render_report", "write_report"]

"""`TriageApp`: the textual application behind `statementkit triage DB`.

Two screens over one `Queue`: moderation (`ModerateScreen`) and the analyst's
themes (`AnalystScreen`); `v` switches between them.
"""

from __future__ import annotations

from textual.app import App

from statementkit.queue import Filter, Queue
from statementkit.tui.analyst import AnalystScreen
from statementkit.tui.modals import MODAL_CSS
from statementkit.tui.moderate import ModerateScreen


class TriageApp(App):
    TITLE = "statementkit triage"
    ENABLE_COMMAND_PALETTE = False
    CSS = MODAL_CSS

    def __init__(self, queue: Queue, *, analyst: bool = False, flt: Filter | None = None) -> None:
        super().__init__()
        self.queue = queue
        self._start_analyst = analyst
        self._flt = flt

    def on_mount(self) -> None:
        self.install_screen(ModerateScreen(self.queue, self._flt), "moderate")
        self.install_screen(AnalystScreen(self.queue), "analyst")
        self.push_screen("analyst" if self._start_analyst else "moderate")

    def action_analyst(self) -> None:
        self.switch_screen("analyst")

    def action_moderate(self) -> None:
        self.switch_screen("moderate")

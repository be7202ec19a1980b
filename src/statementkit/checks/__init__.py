"""Screen statements against the assembly's moderation criteria.

    import statementkit as sk

    rules = sk.load_rules()                  # the bundled rules/ (or a directory)
    for s in sk.check(sk.read_statements("corpus/demo-submissions.jsonl"), rules):
        print(s.id, s.verdict, [f.code for f in s.flags])
    print(sk.selfcheck("Que pensez-vous de l'IA ?").summary)

Each criterion of `rules/criteria.toml` is one check kind of the catalogue
(`register_check`); lexicons, scope, limits, severities and messages are data
in the rules directory. Modules: `document` (the parsed statement: units, sentences), `patterns`
(the lexicon pattern language), `ruleset` (loading, validation), `kinds/*`
(the checks), `engine` (the batch run), `render` and `advice` (words).
"""

from __future__ import annotations

from statementkit.checks.advice import VERDICT_EXIT_CODES, Advice, Problem, check_with_advice, selfcheck
from statementkit.checks.engine import add_duplicates, check, check_stream
from statementkit.checks.registry import Context, Finding, kind_names, register_check
from statementkit.checks.ruleset import Criterion, Rules, load_rules

__all__ = ["VERDICT_EXIT_CODES", "Advice", "Context", "Criterion", "Finding", "Problem", "Rules", "add_duplicates", "check", "check_stream",
           "check_with_advice",
           "kind_names",
           "load_rules", "register_check", "selfcheck"]

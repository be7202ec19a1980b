"""A rules folder for any assembly: write one (`rules init`), check one (`rules check`).

    from statementkit.assembly import AssemblySpec, write_rules, spec_from_polis, inspect_rules
    spec = AssemblySpec(name="City parks", description="How our city's parks should be run.",
                        in_scope=["The city should keep parks open until midnight."])
    write_rules(spec, "parks-rules/")
    print(inspect_rules("parks-rules/").lines())

The bundled `rules/` describe the reference assembly; a new assembly needs its
own subject (scope.toml: a description and example statements, judged by
meaning), its own name, languages, limits and advice examples, and no
taxonomy until its analysts have themes. `spec_from_polis` reads those from a
pol.is export, taking examples only from one half of the moderated comments
(`polis_split`), so the other half can measure the rules honestly. Once the
analysts have named clusters in the triage queue, `themes_from_queue` and
`write_taxonomy` make those names the assembly's taxonomy.
"""

from statementkit.assembly.inspect import RulesSummary, inspect_rules
from statementkit.assembly.polis import PolisSplit, polis_split, spec_from_polis
from statementkit.assembly.spec import AssemblySpec, write_rules
from statementkit.assembly.taxonomy_writer import (
           NamedTheme,
           themes_from_queue,
           write_taxonomy,
)

__all__ = ["AssemblySpec", "NamedTheme", "PolisSplit", "RulesSummary", "inspect_rules", "polis_split",
           "spec_from_polis", "themes_from_queue", "write_rules", "write_taxonomy"]

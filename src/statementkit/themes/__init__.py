"""Themes: clusters with suggested labels, mapped onto the assembly's taxonomy.

    from statementkit.themes import assign_themes, load_taxonomy
    result = assign_themes(statements, load_taxonomy())
    for a in result.assignments:
        print(a.id, a.theme, a.confidence)

A theme is assigned in `assign.assign_themes`: `clustering` groups the
statements, `labels` (over `terms` and `label_mapping`) names the clusters,
`fewshot` suggests a theme from the `taxonomy`'s examples and the analyst's
confirmed statements (kept fitted in `classifier_cache`), and `decisions`
holds what the analyst pinned, renamed, merged and split.
"""

from statementkit.themes.assign import (
           Cluster,
           ThemeResult,
           Uncertain,
           assign_themes,
           least_certain,
)
from statementkit.themes.decisions import (
           ClusterEditError,
           ThemeDecisions,
           decisions_path,
)
from statementkit.themes.taxonomy import Taxonomy, load_taxonomy

__all__ = ["Cluster", "ClusterEditError", "Taxonomy", "ThemeDecisions", "ThemeResult", "Uncertain", "assign_themes",
           "decisions_path", "least_certain", "load_taxonomy"]

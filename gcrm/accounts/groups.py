"""Customer groups from relations (pure: pandas and networkx).

Customers linked by ``parent_of`` or ``same_owner`` (:data:`gcrm.vocab.GROUP_RELATION_KINDS`)
form one group: a connected component of that graph. ``pays_for`` (a payer who is not the user)
links accounts without making them a group. The group is named after its head: the member no
one is ``parent_of`` with the most descendants (ties: the smallest id).

>>> import pandas as pd
>>> rel = pd.DataFrame({"customer_id": ["A", "A", "C"], "related_id": ["B", "C", "D"],
...                     "kind": ["parent_of", "parent_of", "same_owner"]})
>>> sorted(group_of(rel).items())
[('A', 'A'), ('B', 'A'), ('C', 'A'), ('D', 'A')]
"""

from __future__ import annotations

import networkx as nx
import pandas as pd

from gcrm.vocab import GROUP_RELATION_KINDS

EDGE_COLUMNS = ("customer_id", "related_id", "kind")


def apply_edits(loaded: pd.DataFrame, edits: pd.DataFrame) -> pd.DataFrame:
    """Loaded relations with the card's edits applied (the latest edit of a relation wins).

    ``edits``: ``customer_id``, ``related_id``, ``kind``, ``action`` (add|remove), in order.
    """
    rel = loaded[list(EDGE_COLUMNS)].assign(source="loaded")
    if edits is None or edits.empty:
        return rel.reset_index(drop=True)
    last = edits.drop_duplicates(list(EDGE_COLUMNS), keep="last")
    key = list(EDGE_COLUMNS)
    rel = rel.merge(last[[*key, "action"]], on=key, how="left")
    rel = rel[rel["action"].ne("remove")].drop(columns="action")
    added = last[last["action"] == "add"][key].merge(rel[key], on=key, how="left",
                                                      indicator=True)
    added = added[added["_merge"] == "left_only"].drop(columns="_merge").assign(source="card")
    return pd.concat([rel, added], ignore_index=True)


def group_of(relations: pd.DataFrame) -> dict[str, str]:
    """customer id -> group id (its head), for every customer in a group relation."""
    rel = relations[relations["kind"].isin(GROUP_RELATION_KINDS)]
    g = nx.Graph()
    g.add_edges_from(zip(rel["customer_id"], rel["related_id"], strict=True))
    parents = rel[rel["kind"] == "parent_of"]
    tree = nx.DiGraph()
    tree.add_edges_from(zip(parents["customer_id"], parents["related_id"], strict=True))
    out: dict[str, str] = {}
    for comp in nx.connected_components(g):
        heads = [c for c in comp if not (tree.has_node(c) and tree.in_degree(c))] or list(comp)
        size = {c: len(nx.descendants(tree, c)) if tree.has_node(c) else 0 for c in heads}
        head = min(heads, key=lambda c: (-size[c], c))
        out.update(dict.fromkeys(comp, head))
    return out


def group_table(relations: pd.DataFrame) -> pd.DataFrame:
    """:func:`group_of` as a frame (``customer_id``, ``group_id``), sorted."""
    groups = group_of(relations)
    return pd.DataFrame({"customer_id": list(groups), "group_id": list(groups.values())},
                        dtype=object).sort_values("customer_id", ignore_index=True)

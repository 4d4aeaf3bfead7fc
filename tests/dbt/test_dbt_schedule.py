"""The standby build's order (mlops_atlas/dbt_schedule.py): dbt's own queue, scored so that the
ready node with the longest chain of expected work after it starts first."""

from __future__ import annotations

from types import SimpleNamespace

import networkx as nx
import pytest
from dbt.graph.queue import GraphQueue

from mlops_atlas.dbt_schedule import (
    DEFAULT_SECONDS,
    chain_scores,
    node_seconds,
    use_longest_chain_first,
)


def _node(language: str = "sql", seconds: float | None = None) -> SimpleNamespace:
    meta = {} if seconds is None else {"expected_seconds": seconds}
    return SimpleNamespace(
        resource_type="model", language=language, config=SimpleNamespace(meta=meta)
    )


def test_a_chain_is_scored_by_its_longest_way_to_the_end() -> None:
    graph = nx.DiGraph([("a", "b"), ("b", "c"), ("a", "d")])
    scores = chain_scores(graph, {"a": 1.0, "b": 2.0, "c": 4.0, "d": 10.0})
    assert scores == {"a": -11.0, "b": -6.0, "c": -4.0, "d": -10.0}


def test_a_model_without_a_usable_expected_time_gets_its_kinds_default() -> None:
    assert node_seconds(_node("python", seconds=13)) == 13
    assert node_seconds(_node("python")) == DEFAULT_SECONDS["python"]
    for bad in ("soon", float("nan"), -1, None):
        node = _node("sql")
        node.config.meta["expected_seconds"] = bad
        assert node_seconds(node) == DEFAULT_SECONDS["sql"]


def test_dbts_queue_starts_the_long_chain_first(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two ready models at the same depth: dbt alone takes the first by name; scored, the one
    whose descendant is expected to take long goes first, then its descendant, then the rest."""
    monkeypatch.setattr(GraphQueue, "_get_scores", GraphQueue._get_scores)  # restored after
    nodes = {
        "model.p.a_short": _node("python"),
        "model.p.b_inputs": _node("sql"),
        "model.p.c_panel": _node("python", seconds=13),
        "model.p.d_after_short": _node("python"),
    }
    graph = nx.DiGraph(
        [("model.p.a_short", "model.p.d_after_short"), ("model.p.b_inputs", "model.p.c_panel")]
    )
    manifest = SimpleNamespace(nodes=nodes, expect=nodes.__getitem__)

    def order(queue: GraphQueue) -> list[str]:
        taken = []
        while not queue.empty():
            node = queue.get(block=False)
            taken.append(next(k for k, v in nodes.items() if v is node))
            queue.mark_done(taken[-1])
        return taken

    by_depth = order(GraphQueue(graph.copy(), manifest, set(nodes)))
    assert by_depth[0] == "model.p.a_short"
    assert use_longest_chain_first()
    scored = order(GraphQueue(graph.copy(), manifest, set(nodes)))
    assert scored[:2] == ["model.p.b_inputs", "model.p.c_panel"]

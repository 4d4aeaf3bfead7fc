"""The standby build's order (mlops_atlas/dbt_schedule.py): dbt's own queue, scored so that the
ready node with the longest chain of expected work after it starts first."""

from __future__ import annotations

import threading
from types import SimpleNamespace

import networkx as nx
import pytest
from dbt.graph.queue import GraphQueue
from dbt.task.runnable import GraphRunnableTask

from mlops_atlas.dbt_schedule import (
    DEFAULT_SECONDS,
    THREADS_ATTRIBUTE,
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


@pytest.fixture
def dbts_own_methods(monkeypatch: pytest.MonkeyPatch) -> None:
    """dbt's methods that `use_longest_chain_first` replaces, restored after the test."""
    for name in ("_get_scores", "get"):
        monkeypatch.setattr(GraphQueue, name, getattr(GraphQueue, name))
    monkeypatch.setattr(GraphRunnableTask, "run_queue", GraphRunnableTask.run_queue)


def test_dbts_queue_starts_the_long_chain_first(dbts_own_methods: None) -> None:
    """Two ready models at the same depth: dbt alone takes the first by name; scored, the one
    whose descendant is expected to take long goes first, then its descendant, then the rest."""
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


def test_a_node_is_chosen_when_a_thread_is_free(
    dbts_own_methods: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """dbt's loop hands each ready node to its thread pool at once, first come first served;
    told its threads, the queue holds the next node back until one is free. With one thread,
    the panel's input is taken first; the short model, ready all along, is not handed out
    while it runs, and when it is done the panel, ready only then, goes before it."""
    import dbt.task.runnable

    nodes = {
        "model.p.a_inputs": _node("sql"),
        "model.p.b_short": _node("python"),
        "model.p.c_panel": _node("python", seconds=13),
    }
    graph = nx.DiGraph([("model.p.a_inputs", "model.p.c_panel")])
    graph.add_node("model.p.b_short")
    manifest = SimpleNamespace(nodes=nodes, expect=nodes.__getitem__)
    dbts_get, dbts_run_queue = GraphQueue.get, GraphRunnableTask.run_queue
    assert use_longest_chain_first() and use_longest_chain_first()  # wrapped once, however often
    assert GraphQueue.get.__wrapped__ is dbts_get  # type: ignore[attr-defined]
    assert GraphRunnableTask.run_queue.__wrapped__ is dbts_run_queue  # type: ignore[attr-defined]

    # dbt's own loop tells the queue its threads as it starts (here with nothing to run, and
    # dbt's global flags as a command sets them)
    monkeypatch.setattr(dbt.task.runnable, "get_flags", lambda: SimpleNamespace(FAIL_FAST=False))
    told = GraphQueue(nx.DiGraph(), manifest, set())
    task = SimpleNamespace(
        job_queue=told, config=SimpleNamespace(threads=1), _raise_set_error=lambda: None
    )
    GraphRunnableTask.run_queue(task, pool=None)
    assert getattr(told, THREADS_ATTRIBUTE) == 1

    queue = GraphQueue(graph, manifest, set(nodes))
    setattr(queue, THREADS_ATTRIBUTE, 1)
    assert queue.get() is nodes["model.p.a_inputs"]
    taken: list[object] = []
    waiting = threading.Thread(target=lambda: taken.append(queue.get()), daemon=True)
    waiting.start()
    waiting.join(timeout=0.5)
    assert waiting.is_alive() and not taken  # the one thread is busy: nothing handed out
    queue.mark_done("model.p.a_inputs")
    waiting.join(timeout=5)
    assert taken == [nodes["model.p.c_panel"]]
    # not blocking, or not told its threads: dbt's own get, at once
    assert queue.get(block=False) is nodes["model.p.b_short"]
    ready = nx.DiGraph()
    ready.add_nodes_from(["model.p.a_inputs", "model.p.b_short"])
    untold = GraphQueue(ready, manifest, set(ready))
    assert {id(untold.get()), id(untold.get())} == {id(nodes[n]) for n in ready}  # both at once

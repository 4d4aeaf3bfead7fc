"""Which ready node a `dbt build` starts first: the one with the longest chain of work after it.

dbt 1.11 starts ready nodes by their depth in the graph, shallowest first. The back-test panel
is the build's longest model (about a third of its time) and sits deep below the marts, so the
shallower ML models took the threads first and the panel started halfway through the build,
with everything after it waiting. Here each node's priority is the expected seconds of the
longest chain from it to the end of the graph (its own and the longest of its children's), so
the nodes on that chain, the panel's inputs and their tests, start as soon as they are ready.

The score alone is not enough: dbt's main loop takes every node off its queue as soon as it is
ready and hands it to the thread pool, whose own queue is first come, first served. A node on
the long chain that became ready while the threads were busy waited behind every node readied
before it. So the queue also holds its nodes back until a thread is free, and the choice is
made then, among all the nodes ready at that moment.

A node's expected seconds: the model's `meta.expected_seconds` where the project sets it (the
few long Python models, as measured on the mirror), else `DEFAULT_SECONDS` for its kind. The
order changes when nodes run, never what they build. Used by the main job's standby build
(dbt_standby.py), the process that calls `use_longest_chain_first`.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from typing import Any

import networkx as nx  # dbt's graph library: the graph dbt hands to its queue is a DiGraph

#: Where the queue is told how many threads the build runs (set when dbt starts its queue).
THREADS_ATTRIBUTE = "atlas_threads"
#: Marks dbt's methods as wrapped here already.
WRAPPED = "atlas_wrapped"

#: Expected seconds of a node without `meta.expected_seconds`, by kind.
DEFAULT_SECONDS = {"python": 1.0, "sql": 0.2, "test": 0.05}


def node_seconds(node: Any) -> float:
    """Expected seconds of a manifest node (a model, seed, snapshot or test)."""
    if node is None:
        return DEFAULT_SECONDS["test"]
    meta = getattr(getattr(node, "config", None), "meta", None) or {}
    try:
        seconds = float(meta.get("expected_seconds", "nan"))
    except (TypeError, ValueError):
        seconds = math.nan  # not a number: the default for its kind, as if it were not set
    if math.isfinite(seconds) and seconds >= 0:
        return seconds
    if str(getattr(node, "resource_type", "")) in ("test", "unit_test"):
        return DEFAULT_SECONDS["test"]
    return DEFAULT_SECONDS.get(getattr(node, "language", "sql"), DEFAULT_SECONDS["sql"])


def chain_scores(graph: nx.DiGraph, seconds: dict[str, float]) -> dict[str, float]:
    """Each node's score for dbt's queue (lowest first): minus the seconds of the longest chain
    from it to the end of the graph, itself included."""
    longest: dict[str, float] = {}
    for node in reversed(list(nx.topological_sort(graph))):
        after = max((longest[child] for child in graph.successors(node)), default=0.0)
        longest[node] = seconds.get(node, DEFAULT_SECONDS["test"]) + after
    return {node: -chain for node, chain in longest.items()}


def _scores(queue: Any, graph: nx.DiGraph) -> dict[str, float]:
    manifest = queue.manifest
    lookups = (manifest.nodes, getattr(manifest, "unit_tests", {}))
    seconds = {
        node: node_seconds(next((found[node] for found in lookups if node in found), None))
        for node in graph.nodes
    }
    return chain_scores(graph, seconds)


def _when_a_thread_is_free(get: Callable[..., Any]) -> Callable[..., Any]:
    """dbt's `GraphQueue.get`, made to wait (when the queue knows its threads) until fewer
    nodes are handed out than there are threads, so the node is chosen when one can start."""

    @functools.wraps(get)
    def get_when_a_thread_is_free(queue: Any, block: bool = True, timeout: Any = None) -> Any:
        threads = getattr(queue, THREADS_ATTRIBUTE, None)
        # a queue not built as 1.11's (no count of nodes handed out, no condition that
        # mark_done notifies): dbt's own get, as if it had not been told its threads
        as_in_dbt_1_11 = hasattr(queue, "in_progress") and hasattr(queue, "some_task_done")
        if threads and block and timeout is None and as_in_dbt_1_11:
            with queue.some_task_done:  # mark_done notifies it, under the queue's lock
                while len(queue.in_progress) >= threads:
                    queue.some_task_done.wait()
        return get(queue, block, timeout)

    setattr(get_when_a_thread_is_free, WRAPPED, True)
    return get_when_a_thread_is_free


def _telling_the_queue_its_threads(run_queue: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(run_queue)
    def run_queue_with_threads(task: Any, pool: Any) -> Any:
        if task.job_queue is not None:  # else dbt's own run_queue raises its error
            setattr(task.job_queue, THREADS_ATTRIBUTE, int(task.config.threads))
        return run_queue(task, pool)

    setattr(run_queue_with_threads, WRAPPED, True)
    return run_queue_with_threads


def use_longest_chain_first() -> bool:
    """Make this process's dbt start the ready node with the longest chain after it first, when
    a thread is free; False (dbt's own order kept) on a dbt whose queue and task are not as
    1.11's are."""
    from dbt.graph.queue import GraphQueue
    from dbt.task.runnable import GraphRunnableTask

    needed = (
        getattr(GraphQueue, "_get_scores", None),
        getattr(GraphQueue, "get", None),
        getattr(GraphRunnableTask, "run_queue", None),
    )
    if not all(callable(f) for f in needed):
        return False
    GraphQueue._get_scores = _scores  # type: ignore[method-assign]
    if not getattr(GraphQueue.get, WRAPPED, False):  # once, however often this is called
        GraphQueue.get = _when_a_thread_is_free(GraphQueue.get)  # type: ignore[method-assign]
    if not getattr(GraphRunnableTask.run_queue, WRAPPED, False):
        GraphRunnableTask.run_queue = _telling_the_queue_its_threads(  # type: ignore[method-assign]
            GraphRunnableTask.run_queue
        )
    return True

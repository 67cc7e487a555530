"""``--engine spark``: the commands that consume the matching engine (dupes, overlap, phrases, report)
run its candidate and verification stages on Spark (``simtool.spark``) inside ``engine_scope``."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Annotated, Any, Literal, TypeVar

import typer

from simtool.core.types import Notice, View

Engine = Literal["local", "spark"]
_active: ContextVar[Any] = ContextVar("spark_engine", default=None)
F = TypeVar("F", bound=Callable[..., Any])

OPTIONS: dict[str, tuple[Any, Any]] = {
    "engine": (
        Annotated[
            Engine, typer.Option("--engine", help="local（本机，默认）或 spark（在 Apache Spark 上运行查重各阶段）")
        ],
        "local",
    ),
    "master": (
        Annotated[str | None, typer.Option("--master", help="Spark 主节点，如 spark://主机:7077（默认 local[*]）")],
        None,
    ),
    "partitions": (
        Annotated[int | None, typer.Option("--partitions", min=1, help="Spark 分区数（默认为并行度的两倍）")],
        None,
    ),
    "work_dir": (
        Annotated[
            str | None, typer.Option("--work-dir", help="Spark 各阶段的中间结果（Parquet）写入该文件夹，重跑时接着用")
        ],
        None,
    ),
}


def engine_options(fn: F) -> F:
    """Add ``--engine``, ``--master``, ``--partitions`` and ``--work-dir`` to a command and run it in
    ``engine_scope``."""
    sig = inspect.signature(fn, eval_str=True)
    extra = [
        inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, annotation=ann, default=default)
        for name, (ann, default) in OPTIONS.items()
    ]

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        chosen = {name: kwargs.pop(name, default) for name, (_, default) in OPTIONS.items()}
        with engine_scope(chosen["engine"], chosen["master"], chosen["partitions"], chosen["work_dir"]):
            return fn(*args, **kwargs)

    wrapper.__signature__ = sig.replace(parameters=[*sig.parameters.values(), *extra])  # type: ignore[attr-defined]
    wrapper.__annotations__ = {**fn.__annotations__, **{name: ann for name, (ann, _) in OPTIONS.items()}}
    return wrapper  # type: ignore[return-value]


@contextmanager
def engine_scope(
    engine: Engine, master: str | None = None, partitions: int | None = None, work_dir: str | None = None
) -> Iterator[None]:
    """Run the body with the engine's edges found by ``engine`` (``local``: nothing changes).

    The Spark edge finder is the current one (``using_edge_finder``) for the body's duration, so every
    consumer of the engine (``find_matches``, the formula analysis) gets the same edges from Spark.
    """
    if engine == "local":
        yield
        return
    from simtool.match.engine import using_edge_finder
    from simtool.spark.engine import SparkEngine
    from simtool.spark.session import session

    finder = SparkEngine(session(master, partitions=partitions), partitions=partitions, work_dir=work_dir)
    token = _active.set(finder)
    try:
        with using_edge_finder(finder):
            yield
    finally:
        _active.reset(token)


def engine_units(notices: Sequence[Notice], view: View) -> Any:
    """The units of ``notices`` built per partition on Spark inside a Spark ``engine_scope``, else None
    (``find_matches`` builds them)."""
    finder = _active.get()
    return finder.units(notices, view) if finder is not None else None

"""One Spark session for the process: ``local[*]`` unless a master is given, or the session that
``spark-submit`` (or a caller) already started.  A missing pyspark or Java is one Chinese line."""

from __future__ import annotations

import os
import shutil
import sys
from typing import Any

from simtool.core.errors import UserError

NO_SPARK = (
    "未安装 Spark：请运行 pip install 'simtool[spark]'，并安装 Java 17（如 apt-get install openjdk-17-jre-headless）"
)
NO_JAVA = "找不到 Java：Spark 需要 Java 17，请安装（如 apt-get install openjdk-17-jre-headless）或设置 JAVA_HOME"
DEFAULT_MASTER = "local[*]"


def _java_found() -> bool:
    home = os.environ.get("JAVA_HOME")
    return bool(home and os.path.exists(os.path.join(home, "bin", "java"))) or shutil.which("java") is not None


def session(master: str | None = None, *, partitions: int | None = None, conf: dict[str, str] | None = None) -> Any:
    """The active SparkSession, or a new one on ``master`` (``local[*]`` by default; under
    ``spark-submit`` the master it was given).  ``partitions`` also sets ``spark.sql.shuffle.partitions``."""
    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:
        raise UserError(NO_SPARK) from exc
    active = SparkSession.getActiveSession()
    if active is not None and master is None:
        return active
    if not _java_found():
        raise UserError(NO_JAVA)
    builder = SparkSession.builder.appName("simtool").config("spark.ui.showConsoleProgress", "false")
    submitted = master is None and "spark.master" in _submitted_conf()
    if not submitted:
        master = master or DEFAULT_MASTER
        builder = builder.master(master)
    local = master is not None and master.startswith("local")
    if local:  # the Python workers of a local master run this interpreter (where simtool is installed)
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    if partitions:
        builder = builder.config("spark.sql.shuffle.partitions", str(partitions))
    # a local master: the JVM is the executor too (Spark's 1 GB heap is too small), and the verified edges are
    # collected on the driver (maxResultSize's 1 GB default is ~20M edges); what ``conf`` gives wins
    local_defaults = {"spark.driver.memory": _local_memory(), "spark.driver.maxResultSize": "0"} if local else {}
    for key, value in (local_defaults | (conf or {})).items():
        builder = builder.config(key, value)
    try:
        spark = builder.getOrCreate()
    except Exception as exc:  # the JVM did not start (pyspark raises its own runtime errors)
        raise UserError(f"Spark 启动失败：{str(exc).splitlines()[0] if str(exc) else type(exc).__name__}") from exc
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def _local_memory() -> str:
    """JVM heap for a local master: a quarter of this machine's memory, 1–16 GB (Spark's default is 1 GB)."""
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError):
        return "1g"
    return f"{min(16, max(1, total // 4 // (1 << 30)))}g"


def _submitted_conf() -> dict[str, str]:
    """Spark settings ``spark-submit`` passed to this process (it sets them as Java properties)."""
    return {"spark.master": "set"} if os.environ.get("SPARK_ENV_LOADED") or "PYSPARK_GATEWAY_PORT" in os.environ else {}

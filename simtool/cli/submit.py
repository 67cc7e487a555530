"""The CLI as a Spark application: ``spark-submit [--master URL] path/to/simtool/cli/submit.py dupes DIR --engine spark``
(``spark-submit`` runs a Python file; the session it configures is the one ``--engine spark`` uses)."""

from __future__ import annotations

from simtool.cli.app import main

if __name__ == "__main__":
    main()

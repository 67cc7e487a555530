"""The matching engine's stages as Apache Spark jobs (``--engine spark``): the same functions of
``simtool.match`` run per partition, so the answers are the local engine's, byte for byte.

pyspark is an optional extra (``pip install 'simtool[spark]'``) and Java 17 must be installed;
nothing here imports pyspark until a session is asked for (``simtool.spark.session``).
"""

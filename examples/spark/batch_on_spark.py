"""`medaid batch` on Spark: the partition function under `mapPartitions` (verified with pyspark
4.3.0 in local[2] mode: the records equal `medaid batch`'s, error and blank-line records included).

    pip install pyspark      # not a dependency of medaid-logic; Spark needs Java
    PYSPARK_PYTHON=.venv/bin/python .venv/bin/python examples/spark/batch_on_spark.py IN.jsonl OUT_DIR

Spark's Python workers must import medaid_logic: PYSPARK_PYTHON names an interpreter that has it.
"""
import json
import sys

from pyspark.sql import SparkSession

from medaid_logic.partition import evaluate_partition


def evaluate(rows):
    """One Spark partition: (line, index in the file) pairs → batch records, numbered as in the file."""
    rows = list(rows)
    return evaluate_partition([line for line, _ in rows], first_line=rows[0][1] + 1) if rows else []


def main(src: str, out: str) -> None:
    spark = SparkSession.builder.master("local[2]").appName("medaid").getOrCreate()
    records = spark.sparkContext.textFile(src).zipWithIndex().mapPartitions(evaluate)
    records.map(lambda r: json.dumps(r, ensure_ascii=False)).saveAsTextFile(out)
    spark.stop()


if __name__ == "__main__":
    main(*sys.argv[1:3])

"""Tag an archive of reports on Spark: one Parquet row per paragraph.

Two ways, the same rows (the columns of `policytag tag --format jsonl`: id, doc, paragraph,
heading, text, labels, scores):

  --mode python  mapInPandas over the `policytag` Python package. Workers need Python with
                 pandas and pyarrow (what any PySpark pandas job needs); the package itself is
                 shipped with the job as an archive of the wheel:
                   cp target/wheels/policytag-*.whl policytag-wheel.zip
                   spark-submit --master spark://HOST:7077 \
                     --archives policytag-wheel.zip#policytag_pkg \
                     examples/spark/tag_reports.py --mode python --input /data/reports --out tags.parquet
  --mode pipe    no Python on the workers: the executors' JVMs pipe through the static
                 `policytag` binary (RDD.pipe), shipped with --files:
                   spark-submit --master … --files target/release/policytag \
                     examples/spark/tag_reports.py --mode pipe --policytag-bin ./policytag …
                 Reports: their paths go through `xargs policytag tag --format jsonl` (the
                 reports must be on a filesystem every worker mounts at the same path). JSONL
                 paragraphs (--jsonl): their lines go through `policytag tag --jsonl --format
                 jsonl -`.

--input is a directory of reports (.txt .html .docx .pdf, recursively) or, with --jsonl, JSONL
paragraph files ({"id"?, "text"} per line) — on any filesystem Spark reads.
"""

import argparse
import os
import sys
import time

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql import types as T

REPORT_GLOB = "*.{txt,text,htm,html,xhtml,docx,pdf,TXT,HTML,HTM,DOCX,PDF}"

SCHEMA = T.StructType(
    [
        T.StructField("id", T.StringType()),
        T.StructField("doc", T.StringType()),
        T.StructField("paragraph", T.LongType()),
        T.StructField("heading", T.StringType()),
        T.StructField("text", T.StringType()),
        T.StructField("labels", T.ArrayType(T.StringType())),
        T.StructField("scores", T.MapType(T.StringType(), T.DoubleType())),
    ]
)


def local_path(uri):
    """A `file:` URI as the path the CLI would print."""
    return uri[len("file:"):] if uri.startswith("file:") else uri


def _policytag(threads):
    """The policytag package on a worker: installed, or unpacked from the shipped archive."""
    try:
        import policytag
    except ImportError:
        from pyspark import SparkFiles

        sys.path.insert(0, os.path.join(SparkFiles.getRootDirectory(), "policytag_pkg"))
        import policytag
    policytag.set_threads(threads)
    return policytag


def _rows(frame, tagged, ids):
    import pandas as pd

    return pd.DataFrame(
        {
            "id": frame["id"].values,
            "doc": frame["doc"].values,
            "paragraph": frame["paragraph"].astype("int64").values,
            "heading": frame["heading"].values,
            "text": frame["text"].values,
            "labels": tagged["labels"].values,
            "scores": [dict(zip(ids, r)) for r in tagged[ids].itertuples(index=False, name=None)],
        }
    )


def tag_reports_python(spark, input_dir, threads=1):
    files = (
        spark.read.format("binaryFile")
        .option("recursiveFileLookup", "true")
        .option("pathGlobFilter", REPORT_GLOB)
        .load(input_dir)
        .select("path", "content")
    )

    def tag(batches):
        import pandas as pd

        policytag = _policytag(threads)
        model = policytag.Model()
        ids = sorted(l["id"] for l in model.labels)
        for batch in batches:
            for path, content in zip(batch["path"], batch["content"]):
                paras = policytag.segment(bytes(content), name=local_path(path))
                if len(paras):
                    yield _rows(paras, model.tag_frame(paras), ids)

    return files.mapInPandas(tag, SCHEMA)


def tag_jsonl_python(spark, input_path, threads=1):
    lines = spark.read.text(input_path)

    def tag(batches):
        import json

        import pandas as pd

        policytag = _policytag(threads)
        model = policytag.Model()
        ids = sorted(l["id"] for l in model.labels)
        for batch in batches:
            rows = [json.loads(v) for v in batch["value"] if v.strip()]
            if not rows:
                continue
            frame = pd.DataFrame(
                {
                    "id": [str(r["id"]) for r in rows],
                    "doc": "-",
                    "paragraph": -1,
                    "heading": "",
                    "text": [r["text"] for r in rows],
                }
            )
            yield _rows(frame, model.tag_frame(frame), ids)

    return lines.mapInPandas(tag, SCHEMA)


def _pipe(spark, strings, command):
    """Pipe a DataFrame of one string column through `command` in the executors' JVMs (no
    Python worker) and parse the JSONL it prints."""
    jvm = spark._jvm
    encoder = jvm.org.apache.spark.sql.Encoders.STRING()
    jrdd = getattr(strings._jdf, "as")(encoder).toJavaRDD().pipe(command)
    lines = spark._jsparkSession.createDataset(jrdd.rdd(), encoder)
    schema = jvm.org.apache.spark.sql.types.DataType.fromJson(SCHEMA.json())
    return DataFrame(spark._jsparkSession.read().schema(schema).json(lines), spark)


def tag_reports_pipe(spark, input_dir, binary, threads=1):
    paths = (
        spark.read.format("binaryFile")
        .option("recursiveFileLookup", "true")
        .option("pathGlobFilter", REPORT_GLOB)
        .load(input_dir)
        .select(F.regexp_replace("path", "^file:", "").alias("path"))
    )
    command = ["xargs", "-r", "-d", "\\n", binary, "--threads", str(threads), "tag", "--format", "jsonl"]
    return _pipe(spark, paths, command)


def tag_jsonl_pipe(spark, input_path, binary, threads=1):
    lines = spark.read.text(input_path).select("value")
    command = [binary, "--threads", str(threads), "tag", "--jsonl", "--format", "jsonl", "-"]
    return _pipe(spark, lines, command).withColumn("paragraph", F.lit(-1).cast("long"))


def run(spark, mode, input_path, out, jsonl=False, binary="policytag", threads=1):
    """Tag `input_path` and write Parquet to `out`; returns the row count."""
    if mode == "python":
        df = tag_jsonl_python(spark, input_path, threads) if jsonl else tag_reports_python(spark, input_path, threads)
    else:
        df = tag_jsonl_pipe(spark, input_path, binary, threads) if jsonl else tag_reports_pipe(spark, input_path, binary, threads)
    df.select(*SCHEMA.fieldNames()).write.mode("overwrite").parquet(out)
    return spark.read.parquet(out).count()


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--mode", choices=["python", "pipe"], default="python")
    ap.add_argument("--input", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--jsonl", action="store_true", help="input is JSONL paragraphs, not reports")
    ap.add_argument("--policytag-bin", default="policytag", help="the binary, for --mode pipe")
    ap.add_argument("--threads", type=int, default=1, help="tagging threads per task (default 1: one task per core)")
    a = ap.parse_args(argv)
    spark = SparkSession.builder.appName(f"policytag-{a.mode}").getOrCreate()
    t0 = time.perf_counter()
    n = run(spark, a.mode, a.input, a.out, a.jsonl, a.policytag_bin, a.threads)
    dt = time.perf_counter() - t0
    print(f"policytag-spark: {a.mode}: {n} paragraphs in {dt:.1f} s ({n / dt:.0f} paragraphs/s) -> {a.out}")
    spark.stop()


if __name__ == "__main__":
    main()

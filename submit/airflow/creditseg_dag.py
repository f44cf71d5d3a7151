"""creditseg, every day: score and segment every customer as of the run's logical date, then
score the day's new applicants with the model that run fitted.

segment_customers submits the packaged jar with spark-submit (SparkSubmitOperator, from
apache-airflow-providers-apache-spark) for the logical date {{ ds }}. The run compares itself with
the previous day's (stability.*) and, with stability.fail-on = significant, exits 4 after
committing when the population shifted significantly: the task fails and nothing downstream runs
on a population nobody has looked at. summarize_metrics then reads the run's metrics.json, fails
the DAG run unless the job itself says it succeeded, and pushes a summary with the metrics file's
path to XCom. score_new_applicants applies the model just committed (score --model) to the day's
new applicants: no refit, the same quality rules, medians, centres and labels.

Deploy a release next to Airflow as CREDITSEG_HOME/creditseg.jar (mvn -B -DskipTests package ->
target/creditseg.jar) and CREDITSEG_HOME/conf/cluster.conf. The Spark connection (spark_default)
names the master: yarn, k8s://https://..., or spark://host:7077.

Written for Airflow 3 (airflow.sdk). On Airflow 2.8+: `from airflow import DAG`,
`from airflow.decorators import task`, `from airflow.io.path import ObjectStoragePath`.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pendulum
from airflow.providers.apache.spark.operators.spark_submit import SparkSubmitOperator
from airflow.sdk import DAG, ObjectStoragePath, task

CREDITSEG_HOME = "/opt/creditseg"

# The job's command line. Keep it a flat list of string literals: AirflowDagTest reads it from
# this file and runs it through the job's own argument parser and settings loader, with
# conf/cluster.conf as the config. Input and output paths come from cluster.conf; anything else
# can be overridden here with another "--set", "key=value" pair.
APPLICATION_ARGS = [
    "run",
    "--config",
    "cluster.conf",
    "--set",
    "run.date={{ ds }}",
    "--set",
    "stability.fail-on=significant",
]

# The scoring task's command line: the model of the run above (its run directory under output.path
# of cluster.conf; AirflowDagTest checks that they agree), applied to the day's new applicants.
SCORE_ARGS = [
    "score",
    "--model",
    "hdfs:///data/credit/segments/run_date={{ ds }}",
    "--config",
    "cluster.conf",
    "--set",
    "run.date={{ ds }}",
    "--set",
    "input.path=hdfs:///data/credit/applicants/date={{ ds }}",
    "--set",
    "output.path=hdfs:///data/credit/applicants-scored",
]

# <output.path of cluster.conf>/run_date=<ds>/metrics.json; AirflowDagTest checks that the two
# agree.
METRICS_PATH = "hdfs:///data/credit/segments/run_date={{ ds }}/metrics.json"

with DAG(
    dag_id="creditseg_daily",
    description="Credit scoring and risk segmentation of every customer",
    schedule="@daily",
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    default_args={
        # Retrying is safe: a run is idempotent per run date. It writes to a staging directory and
        # swaps <output.path>/run_date=<ds>/ in only when complete, so a failed attempt leaves the
        # previous result for that date in place and the retry replaces it. Exit codes 2 (bad
        # usage, configuration or input contract), 3 (data-quality threshold breached) and 4
        # (significant population shift; the run is committed) fail the same way again; the last
        # line of the task log says why.
        "retries": 2,
        "retry_delay": timedelta(minutes=10),
    },
    tags=["creditseg", "spark"],
) as dag:
    # What both Spark tasks submit: the release's jar and config, sized as submit/creditseg-submit.
    creditseg_jar = dict(
        conn_id="spark_default",
        application=f"{CREDITSEG_HOME}/creditseg.jar",
        java_class="com.creditseg.job.Main",
        # In cluster deploy mode the driver finds --files in its working directory as ./cluster.conf.
        deploy_mode="cluster",
        files=f"{CREDITSEG_HOME}/conf/cluster.conf",
        driver_memory="4g",
        executor_memory="8g",
        executor_cores=4,
    )

    segment_customers = SparkSubmitOperator(
        task_id="segment_customers",
        application_args=APPLICATION_ARGS,
        name="creditseg-{{ ds }}",
        **creditseg_jar,
        conf={
            "spark.sql.shuffle.partitions": "400",
            "spark.sql.adaptive.enabled": "true",
            "spark.sql.optimizer.canChangeCachedPlanOutputPartitioning": "true",
        },
    )

    @task
    def summarize_metrics(metrics_path: str) -> dict:
        """Reads metrics.json: the job's own account of the run, beyond spark-submit's exit code.

        Returns a summary (pushed to XCom as return_value) for downstream tasks, e.g.
        {{ ti.xcom_pull(task_ids="summarize_metrics")["metrics_path"] }}.
        """
        metrics = json.loads(ObjectStoragePath(metrics_path).read_text())
        rows = metrics["rows"]
        if metrics["status"] != "succeeded" or not rows["reconciled"]:
            raise RuntimeError(
                f"creditseg run {metrics['runDate']} did not succeed: status {metrics['status']},"
                f" rows {rows}"
            )
        return {
            "metrics_path": metrics_path,
            "run_date": metrics["runDate"],
            "rows_in": rows["in"],
            "rows_out": rows["out"],
            "rows_quarantined": rows["quarantined"],
            "rows_deduplicated": rows["deduplicated"],
            "segments": metrics["segments"]["k"],
            "output": metrics["output"],
            # None on the first run; else "stable" or "investigate" (a significant shift stopped
            # segment_customers with exit code 4).
            "stability": (metrics.get("stability") or {}).get("verdict"),
        }

    score_new_applicants = SparkSubmitOperator(
        task_id="score_new_applicants",
        application_args=SCORE_ARGS,
        name="creditseg-score-{{ ds }}",
        **creditseg_jar,
    )

    segment_customers >> summarize_metrics(METRICS_PATH) >> score_new_applicants

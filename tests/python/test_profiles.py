"""The Spark session's settings that profiles.yml takes from the environment (docs/spark.md), as dbt
renders them: what a user gets by default, and what the test suite's Spark build asks for."""

from __future__ import annotations

import os
from typing import Any

import pytest
import yaml
from dbt.config.renderer import ProfileRenderer
from dbt_common.context import set_invocation_context

from conftest import PROJECT_DIR

SPARK_VARIABLES = ("ATLAS_SPARK_CODEGEN", "ATLAS_SPARK_JAVA_OPTIONS", "ATLAS_SPARK_CATALOG", "ATLAS_SPARK_DIR")


def spark_session_settings(environment: dict[str, str]) -> dict[str, Any]:
    """The spark output's server_side_parameters, rendered by dbt with these variables set."""
    profiles = yaml.safe_load((PROJECT_DIR / "profiles.yml").read_text(encoding="utf-8"))
    set_invocation_context({**{name: value for name, value in os.environ.items() if name not in SPARK_VARIABLES},
                            **environment})
    try:
        rendered = ProfileRenderer({}).render_data(profiles)
    finally:
        # dbt's env_var() reads this context: later dbt calls in this process see the real environment.
        set_invocation_context(dict(os.environ))
    return dict(rendered["atlas"]["outputs"]["spark"]["server_side_parameters"])


def test_by_default_spark_generates_code_and_keeps_its_catalog_in_derby() -> None:
    settings = spark_session_settings({})
    assert settings["spark.sql.codegen.wholeStage"] == "true"
    assert settings["spark.sql.codegen.factoryMode"] == "FALLBACK"
    assert settings["spark.sql.catalogImplementation"] == "hive"
    assert settings["spark.driver.extraJavaOptions"].strip() == "-Dderby.stream.error.file=data/spark/derby.log"


@pytest.mark.parametrize("value", ["false", "False", "FALSE"])
def test_codegen_false_turns_off_both_kinds_of_code_generation(value: str) -> None:
    settings = spark_session_settings({"ATLAS_SPARK_CODEGEN": value})
    assert settings["spark.sql.codegen.wholeStage"] == "false"
    assert settings["spark.sql.codegen.factoryMode"] == "NO_CODEGEN"


def test_java_options_follow_derbys_log() -> None:
    settings = spark_session_settings({"ATLAS_SPARK_JAVA_OPTIONS": "-XX:+UseSerialGC", "ATLAS_SPARK_DIR": "/tmp/s"})
    assert settings["spark.driver.extraJavaOptions"] == "-Dderby.stream.error.file=/tmp/s/derby.log -XX:+UseSerialGC"


def test_the_catalog_can_be_kept_in_memory() -> None:
    assert spark_session_settings({"ATLAS_SPARK_CATALOG": "in-memory"})["spark.sql.catalogImplementation"] == "in-memory"

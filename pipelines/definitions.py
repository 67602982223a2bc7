"""The code location: `dagster dev` (workspace.yaml) and `dg` load `defs` from here."""

import dagster as dg

from pipelines.assets import ASSET_CHECKS, DOCUMENT_ASSETS, REFRESH_ASSETS
from pipelines.automation import (
    automation_sensor, daily_refresh_job, daily_refresh_schedule, extract_documents_job,
    raw_documents_sensor,
)
from pipelines.resources import RdwHome

defs = dg.Definitions(
    assets=[*DOCUMENT_ASSETS, *REFRESH_ASSETS],
    asset_checks=ASSET_CHECKS,
    jobs=[extract_documents_job, daily_refresh_job],
    schedules=[daily_refresh_schedule],
    sensors=[raw_documents_sensor, automation_sensor],
    resources={"rdw": RdwHome()},
)

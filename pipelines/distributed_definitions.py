"""The code location of a distributed deployment (README, Deployment): the refresh's assets, as in
definitions.py, and the `distributed_refresh` job that runs on the dask cluster. Launch it from the
UI with the run config `rdw distributed-refresh` writes (the scheduler's address, the stores)."""

import dagster as dg

from pipelines import definitions
from pipelines.distributed import DEFAULT_SHARDS, distributed_refresh_job

defs = dg.Definitions.merge(definitions.defs,
                            dg.Definitions(jobs=[distributed_refresh_job(DEFAULT_SHARDS)]))

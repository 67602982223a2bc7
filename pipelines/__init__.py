"""rdw — Research Data Warehouse. Dagster wiring lives here; the work is in the subpackages."""

"""Derived market models: polars transforms over facts and stated assumptions (no Dagster here)."""

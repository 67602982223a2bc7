"""Pandera (pandera.polars) schemas for every stage, and the split of a frame into valid rows and rejects."""

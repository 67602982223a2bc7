"""Document readers: each returns tables, cells and rejects as polars frames in the lake schema."""

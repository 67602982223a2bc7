"""The research report: a static HTML site under exports/report/ (overview, a page per model,
consensus, report checks, and a trace page for every number shown). `build.build_report` writes it."""

"""The one resource: where RDW_HOME and its folders are."""


import dagster as dg

from pipelines.lake import RdwPaths


class RdwHome(dg.ConfigurableResource):
    """Paths of raw/, lake/, the warehouse file and exports/ (env RDW_* or RDW_HOME by default)."""

    home: str | None = None
    raw: str | None = None
    lake: str | None = None
    warehouse: str | None = None
    exports: str | None = None

    def paths(self) -> RdwPaths:
        return RdwPaths.from_env(self.home, raw=self.raw, lake=self.lake,
                                 warehouse=self.warehouse, exports=self.exports)

    @classmethod
    def for_paths(cls, paths: RdwPaths) -> "RdwHome":
        return cls(home=str(paths.home), raw=str(paths.raw), lake=str(paths.lake),
                   warehouse=str(paths.warehouse), exports=str(paths.exports))

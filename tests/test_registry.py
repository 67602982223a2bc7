"""models/registry.py: every registered model has its assumptions YAML, a mart in the warehouse list,
a Dagster asset and a described table."""

from models.inputs import ASSUMPTIONS_DIR
from models.registry import MODELS
from pipelines.assets import REFRESH_ASSETS
from pipelines.data_dictionary import table_description
from pipelines.warehouse import MARTS


def test_one_registry_line_reaches_every_place_a_model_is_listed():
    assert list(MODELS) == ["ai_server_market", "optical_module_demand", "liquid_cooling_tam"]
    asset_keys = {key.to_user_string() for asset in REFRESH_ASSETS for key in asset.keys}
    for model in MODELS:
        assert (ASSUMPTIONS_DIR / f"{model}.yaml").exists()
        assert model in MARTS and f"marts/{model}" in asset_keys
        assert table_description(f"marts.{model}")

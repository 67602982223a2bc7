"""The one list of market models. A model is a module with `MODEL` (its name, the mart
marts.<MODEL>) and `build_all_scenarios(facts)`, plus models/assumptions/<MODEL>.yaml; adding one
is its module, its YAML, a line below and its table's line in pipelines/data_dictionary.yaml."""

from __future__ import annotations

from models import ai_server_market, liquid_cooling_tam, optical_module_demand

MODULES = (
    ai_server_market,
    optical_module_demand,
    liquid_cooling_tam,
)
MODELS = {module.MODEL: module.build_all_scenarios for module in MODULES}

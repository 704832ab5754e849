"""EvalVault's Python client: `EvalVault(url, api_key).run(dataset, metrics, gate)`.

The hand-written layer (this package) sits on the client generated from the platform's OpenAPI document
(`evalvault_api`, see clients/python/README.md), which offers every other operation.
"""
from .client import EvalVault, EvalVaultError
from .datasets import load_cases
from .results import CaseResult, RunResult

__all__ = ["EvalVault", "EvalVaultError", "RunResult", "CaseResult", "load_cases"]
__version__ = "0.1.0"

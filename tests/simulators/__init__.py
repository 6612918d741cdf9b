"""ORCID Member API and DataCite REST API simulators for tests, demo and benchmarks.

They serve ORCID's OAuth endpoints (authorization code, refresh, client
credentials), Member API v3.0 work endpoints and the inbox
(``notification-permission``), and
DataCite's ``/dois`` endpoints, over real HTTP on localhost, applying their
rules (schema validation, required self identifier, duplicates per source,
ownership, token scopes, rate limit). They are development code: they live
under ``tests/`` so the plugin's wheel carries production code only.
"""

from .app import OrcidSimulator
from .datacite import DataCiteSimulator
from .state import RegistryState, SimulatedError, new_client_id, new_orcid_id

__all__ = (
    "DataCiteSimulator",
    "OrcidSimulator",
    "RegistryState",
    "SimulatedError",
    "new_client_id",
    "new_orcid_id",
)

"""An ORCID Member API simulator for tests, the demo and the benchmarks.

It serves ORCID's OAuth endpoints and the Member API v3.0 work endpoints over
real HTTP on localhost, applying ORCID's rules (schema validation, required
self identifier, duplicates per source, ownership, token scopes, rate limit).
"""

from .app import OrcidSimulator
from .state import RegistryState, SimulatedError, new_client_id, new_orcid_id

__all__ = ("OrcidSimulator", "RegistryState", "SimulatedError", "new_client_id", "new_orcid_id")

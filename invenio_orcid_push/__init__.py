"""Push published InvenioRDM records as works to their depositors' ORCID records.

The package holds production code only; the ORCID and DataCite simulators, the
demo and the test helpers are development code under the project's ``tests/``.
The package root stays import-light (no Flask or Invenio imports) so that its
templates and ORCID model (which the simulator shares) load without the whole
stack.
"""

__version__ = "0.1.0.dev0"

__all__ = ("__version__", "InvenioOrcidPush")


def __getattr__(name):
    """Import the extension lazily: ``from invenio_orcid_push import InvenioOrcidPush``."""
    if name == "InvenioOrcidPush":
        from .ext import InvenioOrcidPush

        return InvenioOrcidPush
    raise AttributeError(name)

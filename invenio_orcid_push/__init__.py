"""Push published InvenioRDM records as works to their depositors' ORCID records.

The package root stays import-light (no Flask or Invenio imports) so that its
templates and the ORCID simulator can be used without the whole stack.
"""

__version__ = "0.1.0.dev0"

__all__ = ("__version__", "InvenioOrcidPush")


def __getattr__(name):
    """Import the extension lazily: ``from invenio_orcid_push import InvenioOrcidPush``."""
    if name == "InvenioOrcidPush":
        from .ext import InvenioOrcidPush

        return InvenioOrcidPush
    raise AttributeError(name)

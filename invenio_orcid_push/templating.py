"""Where the package's Jinja templates are."""

from pathlib import Path


def templates_folder():
    """Return the folder holding the package's templates.

    An installed wheel carries them inside the package
    (``invenio_orcid_push/templates``); a source checkout (editable install)
    keeps them in the project's top-level ``templates/`` folder.
    """
    package = Path(__file__).resolve().parent
    packaged = package / "templates"
    if packaged.is_dir():
        return str(packaged)
    return str(package.parent / "templates")

"""A DataCite REST API simulator: the ``/dois`` endpoints InvenioRDM uses.

Basic auth with a repository account, prefix ownership, draft / registered /
findable states and the ``publish``, ``register``, ``hide`` events, and
schema 4.5 validation of the metadata of registered DOIs (the ``datacite``
package's validator), like DataCite's REST API.
"""

import base64
import copy
import json
import secrets
import threading
import time

from flask import Flask, Response, request

from .app import LocalServer

NOT_METADATA = {"event", "url", "prefix", "doi", "state", "suffix"}


def _errors(status, title, source=None):
    error = {"status": str(status), "title": title}
    if source:
        error["source"] = source
    return Response(
        json.dumps({"errors": [error]}), status, mimetype="application/vnd.api+json"
    )


class DataCiteSimulator(LocalServer):
    """DataCite's REST API on localhost. ``dois`` holds what DataCite knows."""

    def __init__(
        self,
        username="TEST.REPOSITORY",
        password="datacite-secret",
        prefix="10.5555",
        host="127.0.0.1",
        port=0,
    ):
        """Set up; call :meth:`start` to serve."""
        self.username, self.password, self.prefix = username, password, prefix
        self.dois = {}
        self.request_log = []
        self.lock = threading.RLock()
        self._faults = []
        self._host, self._port = host, port
        self.app = self._create_app()

    def inject_fault(self, status=500, times=1):
        """Answer the next ``times`` write calls with ``status``."""
        with self.lock:
            self._faults.append({"status": status, "times": times})

    def metadata(self, doi):
        """The metadata DataCite holds for a DOI (without state and url)."""
        with self.lock:
            attributes = self.dois[doi.lower()]["attributes"]
            return {k: v for k, v in attributes.items() if k not in NOT_METADATA}

    def state_of(self, doi):
        """``draft``, ``registered``, ``findable``, or ``None`` if unknown."""
        with self.lock:
            entry = self.dois.get(doi.lower())
            return entry["state"] if entry else None

    def _take_fault(self):
        with self.lock:
            for fault in self._faults:
                fault["times"] -= 1
                if fault["times"] <= 0:
                    self._faults.remove(fault)
                return fault
        return None

    def _create_app(self):
        app = Flask("datacite_simulator")

        @app.before_request
        def authenticate():
            request.started = time.monotonic()
            header = request.headers.get("Authorization", "")
            user, _, password = (
                base64.b64decode(header[6:] or b"").decode().partition(":")
                if header.startswith("Basic ")
                else ("", "", "")
            )
            if not (
                secrets.compare_digest(user, self.username)
                and secrets.compare_digest(password, self.password)
            ):
                return _errors(401, "Bad credentials.")
            if request.method != "GET":
                fault = self._take_fault()
                if fault:
                    return _errors(fault["status"], "Injected fault")
            return None

        @app.after_request
        def log(response):
            with self.lock:
                self.request_log.append(
                    {
                        "method": request.method,
                        "path": request.path,
                        "status": response.status_code,
                        "duration_ms": round(
                            (time.monotonic() - request.started) * 1000, 2
                        ),
                    }
                )
            return response

        def render(entry, status=200):
            body = {
                "data": {
                    "id": entry["doi"],
                    "type": "dois",
                    "attributes": {
                        **entry["attributes"],
                        "doi": entry["doi"],
                        "state": entry["state"],
                        "url": entry["url"],
                    },
                }
            }
            return Response(
                json.dumps(body), status, mimetype="application/vnd.api+json"
            )

        def upsert(doi, attributes, creating):
            if doi is None:
                doi = (
                    f"{attributes.get('prefix') or self.prefix}/{secrets.token_hex(4)}"
                )
            if not doi.lower().startswith(self.prefix.lower() + "/"):
                return _errors(403, "You are not authorized to access this resource.")
            key = doi.lower()
            with self.lock:
                entry = self.dois.get(key)
                if entry is not None and creating:
                    return _errors(422, "This DOI has already been taken", "doi")
                if entry is None:
                    entry = {
                        "doi": key,
                        "state": "draft",
                        "attributes": {},
                        "url": None,
                    }
                merged = {
                    **entry["attributes"],
                    **{k: v for k, v in attributes.items() if k != "event"},
                }
                state = {
                    "publish": "findable",
                    "register": "registered",
                    "hide": "registered",
                }.get(attributes.get("event"), entry["state"])
                if state == "draft" and entry["state"] != "draft":
                    state = entry["state"]
                url = attributes.get("url") or entry["url"]
                if state != "draft":
                    problem = self._invalid(merged, url)
                    if problem:
                        return _errors(422, problem, "metadata")
                entry.update(state=state, attributes=merged, url=url)
                self.dois[key] = entry
                return render(copy.deepcopy(entry), 201 if creating else 200)

        @app.post("/dois")
        def create():
            data = (request.get_json(silent=True) or {}).get("data") or {}
            attributes = data.get("attributes") or {}
            return upsert(attributes.get("doi"), attributes, creating=True)

        @app.route("/dois/<path:doi>", methods=["GET", "PUT", "DELETE"])
        def item(doi):
            key = doi.lower()
            if request.method == "GET":
                with self.lock:
                    entry = self.dois.get(key)
                    return (
                        render(copy.deepcopy(entry))
                        if entry
                        else _errors(
                            404, "The resource you are looking for doesn't exist."
                        )
                    )
            if request.method == "DELETE":
                with self.lock:
                    entry = self.dois.get(key)
                    if entry is None:
                        return _errors(
                            404, "The resource you are looking for doesn't exist."
                        )
                    if entry["state"] != "draft":
                        return _errors(405, "Method not allowed")
                    del self.dois[key]
                    return Response(status=204)
            data = (request.get_json(silent=True) or {}).get("data") or {}
            return upsert(doi, data.get("attributes") or {}, creating=False)

        return app

    @staticmethod
    def _invalid(attributes, url):
        """Why DataCite would refuse to register this metadata, or ``None``."""
        if not url:
            return "Url can't be blank"
        from datacite import schema45

        metadata = {k: v for k, v in attributes.items() if k not in NOT_METADATA}
        try:
            schema45.validator.validate(metadata)
        except Exception as exc:  # jsonschema.ValidationError and friends
            return f"Metadata does not validate against DataCite schema 4.5: {getattr(exc, 'message', exc)}"
        return None

    @property
    def url(self):
        """Base URL for ``DATACITE_URL``."""
        return super().url + "/"

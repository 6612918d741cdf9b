"""The ORCID simulator's HTTP face: ORCID's OAuth and Member API v3.0 routes."""

import base64
import json
import logging
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

from flask import Flask, Response, render_template, request
from lxml import etree
from werkzeug.serving import WSGIRequestHandler, make_server

from invenio_orcid_push import orcid_model as om

from .messages import (
    MessageError,
    error_to_json,
    error_to_xml,
    parse_permission_notification_xml,
    parse_work_json,
    parse_work_xml,
    work_to_json,
    work_to_xml,
    works_to_json,
    works_to_xml,
)
from .state import RegistryState, SimulatedError, TokenBucket

logger = logging.getLogger(__name__)

XML_TYPES = {om.ORCID_XML, "application/orcid+xml", "application/xml", "text/xml"}
JSON_TYPES = {om.ORCID_JSON, "application/orcid+json", "application/json"}
# ORCID's consent page lives beside the simulator: it is no part of the plugin.
TEMPLATES = Path(__file__).resolve().parent / "templates"


def load_work_schema(schema_dir):
    """The XSD of works from an orcid-model checkout (``record_3.0/work-3.0.xsd``)."""
    path = Path(schema_dir) / "record_3.0" / "work-3.0.xsd"
    return etree.XMLSchema(etree.parse(str(path)))


_NOTIFICATION_IMPORTS = {
    # The published notification-permission-3.0.xsd imports the 2.1 common and
    # activities schemas by relative paths absent from orcid-model's 3.0
    # folders; the namespaces are the same, so the 3.0 files stand in.
    "common_2.1/common-2.1.xsd": "common_3.0/common-3.0.xsd",
    "record_2.1/activities-2.1.xsd": "record_3.0/activities-3.0.xsd",
}


class _StandInImports(etree.Resolver):
    def __init__(self, schema_dir):
        super().__init__()
        self.schema_dir = Path(schema_dir)

    def resolve(self, system_url, public_id, context):
        for old, new in _NOTIFICATION_IMPORTS.items():
            if system_url.endswith(old) and (self.schema_dir / new).is_file():
                return self.resolve_filename(str(self.schema_dir / new), context)
        return None


def load_notification_schema(schema_dir):
    """The XSD of permission notifications (``notification-permission-3.0.xsd``)."""
    parser = etree.XMLParser()
    parser.resolvers.add(_StandInImports(schema_dir))
    path = Path(schema_dir) / "notification_3.0" / "notification-permission-3.0.xsd"
    return etree.XMLSchema(etree.parse(str(path), parser))


def _wants_json():
    accept = request.headers.get("Accept", "")
    return any(kind in accept for kind in JSON_TYPES)


def _error_response(error, api_base):
    if error.oauth_error:
        body = {
            "error": error.oauth_error,
            "error_description": error.developer_message,
        }
        return Response(json.dumps(body), error.status, mimetype="application/json")
    if _wants_json():
        body = error_to_json(
            error.status, error.error_code, error.developer_message, error.user_message
        )
        response = Response(body, error.status, mimetype=om.ORCID_JSON)
    else:
        body = error_to_xml(
            error.status, error.error_code, error.developer_message, error.user_message
        )
        response = Response(body, error.status, mimetype=om.ORCID_XML)
    if error.location:
        response.headers["Location"] = api_base + error.location
    return response


def create_simulator_app(simulator):
    """The Flask app serving one :class:`OrcidSimulator`."""
    app = Flask("orcid_simulator", template_folder=str(TEMPLATES))
    state = simulator.state

    def api_base():
        return request.host_url.rstrip("/")

    @app.errorhandler(SimulatedError)
    def simulated_error(error):
        return _error_response(error, api_base())

    # -- OAuth ---------------------------------------------------------------

    @app.get("/oauth/authorize")
    def authorize_page():
        client = state.clients.get(request.args.get("client_id", ""))
        if client is None:
            raise SimulatedError(
                400, oauth_error="invalid_client", developer_message="Unknown client_id"
            )
        return render_template(
            "authorize.html",
            client=client,
            scopes=request.args.get("scope", "").split(),
            redirect_uri=request.args.get("redirect_uri", ""),
            state=request.args.get("state", ""),
            orcid=request.args.get("orcid", ""),
            researchers=sorted(state.researchers.values(), key=lambda r: r.orcid),
        )

    @app.post("/oauth/authorize")
    def authorize():
        form = request.form
        redirect_uri = form.get("redirect_uri", "")
        params = {"state": form["state"]} if form.get("state") else {}
        if form.get("action") != "authorize":
            params.update(error="access_denied", error_description="User denied access")
        else:
            orcid = form.get("orcid") or state.add_researcher().orcid
            if orcid not in state.researchers:
                state.add_researcher(orcid, form.get("name") or "Jane Researcher")
            params["code"] = state.authorize(
                form.get("client_id", ""),
                orcid,
                form.get("scope", "").split(),
                redirect_uri,
            )
        separator = "&" if "?" in redirect_uri else "?"
        return Response(
            status=302,
            headers={"Location": redirect_uri + separator + urlencode(params)},
        )

    def client_credentials():
        header = request.headers.get("Authorization", "")
        if header.startswith("Basic "):
            client_id, _, secret = base64.b64decode(header[6:]).decode().partition(":")
            return client_id, secret
        return request.form.get("client_id", ""), request.form.get("client_secret", "")

    @app.post("/oauth/token")
    def token():
        client_id, secret = client_credentials()
        grant = request.form.get("grant_type")
        if grant == "authorization_code":
            issued = state.exchange_code(
                client_id,
                secret,
                request.form.get("code", ""),
                request.form.get("redirect_uri"),
            )
        elif grant == "refresh_token":
            issued = state.refresh(
                client_id, secret, request.form.get("refresh_token", "")
            )
        elif grant == "client_credentials":
            state._client(client_id, secret)
            issued = state.issue_client_token(
                client_id, request.form.get("scope", "/read-public").split()
            )
        else:
            raise SimulatedError(
                400,
                oauth_error="unsupported_grant_type",
                developer_message=f"Unsupported grant type {grant!r}",
            )
        body = {
            "access_token": issued.access_token,
            "token_type": "bearer",
            "refresh_token": issued.refresh_token,
            "expires_in": 631138518,
            "scope": " ".join(sorted(issued.scopes)),
            "name": issued.name,
            "orcid": issued.orcid if grant != "client_credentials" else None,
        }
        return Response(json.dumps(body), 200, mimetype="application/json")

    @app.post("/oauth/revoke")
    def revoke():
        # Only faults queued for this very path: a fault meant for the API stays there.
        fault = state.take_oauth_fault("/oauth/revoke")
        if fault is not None:
            raise SimulatedError(fault["status"], fault["error_code"], "Injected fault")
        client_id, secret = client_credentials()
        state.revoke(client_id, secret, request.form.get("token", ""))
        return Response(status=200)

    # -- Member API ----------------------------------------------------------

    def read_work():
        content_type = (request.mimetype or "").lower()
        if (request.content_length or 0) > om.WORK_BODY_MAX:
            # ORCID's front end refuses bodies around 1 MB before reading them.
            raise SimulatedError(
                413,
                None,
                f"Request entity too large: {request.content_length:,} bytes "
                f"(at most {om.WORK_BODY_MAX:,}).",
            )
        try:
            if content_type in XML_TYPES:
                return parse_work_xml(request.get_data(), simulator.work_schema)
            if content_type in JSON_TYPES:
                return parse_work_json(request.get_data())
        except MessageError as exc:
            raise SimulatedError(400, "9001", str(exc)) from None
        raise SimulatedError(415, None, f"Unsupported media type {content_type!r}")

    def check_accept():
        accept = request.headers.get("Accept", "*/*")
        if not any(kind in accept for kind in (*XML_TYPES, *JSON_TYPES, "*/*")):
            raise SimulatedError(406, None, f"Not acceptable: {accept!r}")

    def render_work(stored, status=200):
        if _wants_json():
            return Response(
                work_to_json(stored, simulator.orcid_host),
                status,
                mimetype=om.ORCID_JSON,
            )
        return Response(
            work_to_xml(stored, simulator.orcid_host), status, mimetype=om.ORCID_XML
        )

    def written_orcid():
        if request.method in ("POST", "PUT", "DELETE") and request.path.startswith(
            "/v3.0/"
        ):
            return request.path.split("/")[2]
        return None

    @app.before_request
    def before_api_call():
        request.started = time.monotonic()
        if not request.path.startswith("/v3.0/"):
            return None
        orcid = written_orcid()
        if orcid:
            state.write_started(orcid)
            request.counted_write = orcid
        if simulator.latency:
            time.sleep(simulator.latency)
        if not simulator.allow(request.remote_addr):
            return Response(
                "Service Unavailable: rate limit exceeded", 503, mimetype="text/plain"
            )
        fault = state.take_fault(request.method, request.path)
        request.fault = fault
        if fault and fault.get("body") is not None and not fault["after_store"]:
            return Response(fault["body"], fault["status"], mimetype=om.ORCID_XML)
        if fault and not fault["after_store"]:
            return _error_response(
                SimulatedError(fault["status"], fault["error_code"], "Injected fault"),
                api_base(),
            )
        return None

    @app.teardown_request
    def end_of_call(exc):
        orcid = getattr(request, "counted_write", None)
        if orcid:
            state.write_ended(orcid)

    @app.after_request
    def after_api_call(response):
        if request.path.startswith("/v3.0/"):
            fault = getattr(request, "fault", None)
            if fault and fault["after_store"]:
                response = _error_response(
                    SimulatedError(
                        fault["status"], fault["error_code"], "Injected fault"
                    ),
                    api_base(),
                )
            error_code = None
            if response.status_code >= 400 and response.mimetype in (
                om.ORCID_XML,
                om.ORCID_JSON,
            ):
                error_code = _error_code_of(response)
            state.log(
                {
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "error_code": error_code,
                    "duration_ms": round(
                        (time.monotonic() - request.started) * 1000, 2
                    ),
                }
            )
        return response

    @app.post("/v3.0/<orcid>/work")
    def create_work(orcid):
        token = state.authenticate(request.headers.get("Authorization"))
        check_accept()
        put_code = state.create_work(token, orcid, read_work())
        return Response(
            status=201,
            headers={"Location": f"{api_base()}/v3.0/{orcid}/work/{put_code}"},
        )

    @app.route("/v3.0/<orcid>/work/<int:put_code>", methods=["GET", "PUT", "DELETE"])
    def work_item(orcid, put_code):
        token = state.authenticate(request.headers.get("Authorization"))
        check_accept()
        if request.method == "GET":
            return render_work(state.get_work(token, orcid, put_code))
        if request.method == "PUT":
            return render_work(state.update_work(token, orcid, put_code, read_work()))
        state.delete_work(token, orcid, put_code)
        return Response(status=204)

    @app.get("/v3.0/<orcid>/works")
    def works(orcid):
        token = state.authenticate(request.headers.get("Authorization"))
        check_accept()
        groups = state.grouped_works(token, orcid)
        if _wants_json():
            return Response(
                works_to_json(orcid, groups, simulator.orcid_host),
                mimetype=om.ORCID_JSON,
            )
        return Response(
            works_to_xml(orcid, groups, simulator.orcid_host), mimetype=om.ORCID_XML
        )

    @app.post("/v3.0/<orcid>/notification-permission")
    def create_notification(orcid):
        token = state.authenticate(request.headers.get("Authorization"))
        check_accept()
        content_type = (request.mimetype or "").lower()
        if content_type not in XML_TYPES:
            raise SimulatedError(415, None, f"Unsupported media type {content_type!r}")
        try:
            notification = parse_permission_notification_xml(
                request.get_data(), simulator.notification_schema
            )
        except MessageError as exc:
            raise SimulatedError(400, "9001", str(exc)) from None
        put_code = state.create_permission_notification(token, orcid, notification)
        return Response(
            status=201,
            headers={
                "Location": f"{api_base()}/v3.0/{orcid}/notification-permission/{put_code}"
            },
        )

    # -- Inspection, for processes other than the one running the simulator --

    @app.get("/_simulator/notifications/<orcid>")
    def inspect_notifications(orcid):
        return Response(
            json.dumps(state.notifications_of(orcid)), mimetype="application/json"
        )

    @app.get("/_simulator/works/<orcid>")
    def inspect_works(orcid):
        works = [
            {"put_code": s.put_code, "source_client_id": s.source_client_id, **s.work}
            for s in state.works_of(orcid)
        ]
        return Response(json.dumps(works), mimetype="application/json")

    @app.get("/_simulator/requests")
    def inspect_requests():
        with state.lock:
            return Response(json.dumps(state.request_log), mimetype="application/json")

    return app


def _error_code_of(response):
    body = response.get_data()
    try:
        if response.mimetype == om.ORCID_JSON:
            return json.loads(body).get("error-code")
        node = etree.fromstring(body).find("{%s}error-code" % om.ERROR_NS)
        return node.text if node is not None else None
    except (ValueError, etree.XMLSyntaxError):
        return None


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, *args, **kwargs):
        """Requests are in the simulator's request log, not on stderr."""


class LocalServer:
    """A Flask app (``self.app``) served over HTTP on localhost in a background thread."""

    _server = None

    def start(self):
        """Serve in a background thread; returns ``self``."""
        self._server = make_server(
            self._host,
            self._port,
            self.app,
            threaded=True,
            request_handler=_QuietHandler,
        )
        threading.Thread(
            target=self._server.serve_forever, daemon=True, name=type(self).__name__
        ).start()
        return self

    def stop(self):
        """Stop serving."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self):
        """Start as a context manager."""
        return self.start()

    def __exit__(self, *exc):
        """Stop at the end of the ``with`` block."""
        self.stop()

    @property
    def url(self):
        """Base URL, e.g. ``http://127.0.0.1:PORT``."""
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"


class OrcidSimulator(LocalServer):
    """An ORCID Member API and OAuth server on localhost, for tests, demo and benchmarks.

    ``schema_dir`` is an orcid-model checkout; when given, XML work bodies are
    validated against ``record_3.0/work-3.0.xsd`` and permission notifications
    against ``notification_3.0/notification-permission-3.0.xsd``, as ORCID does.
    ``rate_limit`` is ``(requests per second, burst)`` per client IP, or ``None``.
    """

    def __init__(
        self,
        schema_dir=None,
        rate_limit=(24, 40),
        latency=0.0,
        host="127.0.0.1",
        port=0,
        orcid_host="orcid.org",
    ):
        """Set up; call :meth:`start` to serve."""
        self.state = RegistryState()
        self.work_schema = load_work_schema(schema_dir) if schema_dir else None
        self.notification_schema = (
            load_notification_schema(schema_dir) if schema_dir else None
        )
        self.rate_limit = rate_limit
        self.latency = latency
        self.orcid_host = orcid_host
        self._buckets = {}
        self._buckets_lock = threading.Lock()
        self._host, self._port = host, port
        self.app = create_simulator_app(self)

    def allow(self, client_ip):
        """Whether a request from ``client_ip`` is within the rate limit."""
        if not self.rate_limit:
            return True
        with self._buckets_lock:
            bucket = self._buckets.get(client_ip)
            if bucket is None:
                bucket = self._buckets[client_ip] = TokenBucket(*self.rate_limit)
        return bucket.allow()

    def set_rate_limit(self, rate_limit):
        """Change the limit (``None``: off); every client starts with a full bucket."""
        with self._buckets_lock:
            self.rate_limit = rate_limit
            self._buckets.clear()

    @property
    def api_url(self):
        """Member API base URL including the version (``ORCID_PUSH_API_URL``)."""
        return self.url + "/v3.0"

    @property
    def oauth_url(self):
        """OAuth base URL (``ORCID_PUSH_OAUTH_URL``)."""
        return self.url + "/oauth"

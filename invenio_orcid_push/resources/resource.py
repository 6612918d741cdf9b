"""The ORCID push REST resource: routes mapped to the service, nothing decided here."""

from flask import g
from flask_resources import (
    Resource,
    from_conf,
    request_body_parser,
    request_parser,
    resource_requestctx,
    response_handler,
    route,
)
from invenio_i18n import lazy_gettext as _

request_view_args = request_parser(from_conf("request_view_args"), location="view_args")
request_user_args = request_parser(from_conf("request_user_args"), location="args")
request_records_args = request_parser(
    from_conf("request_records_args"), location="args"
)
request_data = request_body_parser(
    parsers=from_conf("request_body_parsers"),
    default_content_type=from_conf("default_content_type"),
)


class OrcidPushResource(Resource):
    """Links, preferences and records of researchers; a record's ORCID status."""

    def __init__(self, config, service):
        """Bind the resource to its service."""
        super().__init__(config)
        self.service = service

    def create_url_rules(self):
        """The routes of the REST API."""
        routes = self.config.routes
        return [
            route("GET", routes["record-status"], self.read_record_status),
            route("GET", routes["link"], self.read_link),
            route("PUT", routes["link"], self.update_preferences),
            route("GET", routes["records"], self.list_records),
            route("POST", routes["sync"], self.sync_record),
            route("POST", routes["dismiss"], self.dismiss_record),
            route("GET", routes["works"], self.list_orcid_works),
            route("POST", routes["import-work"], self.import_orcid_work),
        ]

    @request_view_args
    @response_handler()
    def read_record_status(self):
        """``GET /records/<id>/orcid``: the ORCID records this record was pushed to."""
        record_id = resource_requestctx.view_args["pid_value"]
        return self.service.read_record_status(g.identity, record_id), 200

    @request_user_args
    @response_handler()
    def read_link(self):
        """``GET /user/orcid``: the link and the sync preferences."""
        return self.service.read_link(g.identity, resource_requestctx.args), 200

    @request_user_args
    @request_data
    @response_handler()
    def update_preferences(self):
        """``PUT /user/orcid``: change the sync preferences."""
        link = self.service.update_preferences(
            g.identity, resource_requestctx.data, resource_requestctx.args
        )
        return link, 200

    @request_records_args
    @response_handler()
    def list_records(self):
        """``GET /user/orcid/records``: the user's records and their ORCID status."""
        return self.service.list_records(g.identity, resource_requestctx.args), 200

    @request_view_args
    @request_user_args
    @response_handler()
    def sync_record(self):
        """``POST /user/orcid/records/<id>/sync``: send (approve) this record now."""
        record_id = resource_requestctx.view_args["pid_value"]
        done = self.service.request_sync(
            g.identity, record_id, resource_requestctx.args
        )
        return {**done, "message": str(_("Sync requested."))}, 202

    @request_view_args
    @request_user_args
    @response_handler()
    def dismiss_record(self):
        """``POST /user/orcid/records/<id>/dismiss``: never send this record."""
        record_id = resource_requestctx.view_args["pid_value"]
        done = self.service.dismiss(g.identity, record_id, resource_requestctx.args)
        return {**done, "message": str(_("Dismissed."))}, 200

    @request_user_args
    @response_handler()
    def list_orcid_works(self):
        """``GET /user/orcid/works``: the works on the user's ORCID record."""
        return self.service.list_orcid_works(g.identity, resource_requestctx.args), 200

    @request_view_args
    @request_user_args
    @response_handler()
    def import_orcid_work(self):
        """``POST /user/orcid/works/<put_code>/import``: a draft from the work."""
        put_code = resource_requestctx.view_args["put_code"]
        draft = self.service.import_orcid_work(
            g.identity, put_code, resource_requestctx.args
        )
        return draft, 201

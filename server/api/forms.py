"""Collection forms, as phones fetch them (ETag / If-None-Match)."""

from flask import Response, current_app, request
from flask.views import MethodView

from server.auth.verbs import require
from server.errors import NotFound

from . import pagination
from .base import blueprint, current_actor
from .schemas.common import PageQuery
from .schemas.forms import FormListSchema, FormSummarySchema

blp = blueprint("forms", "Collection forms")


def catalog():
    """The shipped forms, loaded once per process (published versions never change)."""
    if "gridwork.forms" not in current_app.extensions:
        from server.forms.catalog import load_catalog

        current_app.extensions["gridwork.forms"] = load_catalog()
    return current_app.extensions["gridwork.forms"]


@blp.route("/forms")
class Forms(MethodView):
    @blp.arguments(PageQuery, location="query")
    @blp.response(200, FormListSchema)
    @blp.alt_response(304, description="Not modified (If-None-Match matched the ETag)")
    def get(self, args):
        """The current version of every form you may fill, by form id (send If-None-Match to skip an unchanged
        list)."""
        actor = current_actor()
        require(actor, "form.read")
        forms = catalog()
        etag = forms.etag(actor.role)
        if etag in request.if_none_match:
            response = Response(status=304)
            response.set_etag(etag)
            return response
        after = pagination.decode(args["cursor"], (str,))
        rows = sorted(forms.for_role(actor.role), key=lambda f: f.id)
        rows = [f for f in rows if after is None or f.id > after[0]][: args["limit"] + 1]
        page = pagination.respond(rows, args["limit"], key=lambda f: [f.id])
        return page, 200, {"ETag": f'"{etag}"'}


@blp.route("/forms/<string:form_id>/versions/<string:version>")
class FormVersion(MethodView):
    @blp.response(200, FormSummarySchema)
    @blp.alt_response(404, description="No such form version")
    def get(self, form_id: str, version: str):
        """One version of a form, current or older (phones may still hold old ones)."""
        require(current_actor(), "form.read")
        form = catalog().get(form_id, version)
        if form is None:
            raise NotFound(f"No form {form_id} version {version}.", code="form.not_found")
        return form

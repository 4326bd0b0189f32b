"""Device credentials for ODK Collect: issue one (the QR code Collect scans), revoke it."""

import base64
import uuid
from datetime import datetime

from flask.views import MethodView

from server.openrosa.urls import server_url
from server.services import devices as service
from server.store.db import request_session

from . import pagination
from .base import blueprint, current_actor
from .schemas.common import PageQuery
from .schemas.devices import DeviceListSchema, DeviceRequestSchema, DeviceSchema, IssuedDeviceSchema

blp = blueprint("devices", "Device credentials for ODK Collect (docs/openrosa.md)")


@blp.route("/devices")
class Devices(MethodView):
    @blp.arguments(PageQuery, location="query")
    @blp.response(200, DeviceListSchema)
    def get(self, args):
        """The device credentials you may revoke (admins: all; others: your own and those you issued), newest
        first."""
        after = pagination.decode(args["cursor"], (datetime.fromisoformat, uuid.UUID))
        rows = service.page(
            request_session(),
            current_actor(),
            after=(after[0], after[1]) if after else None,
            limit=args["limit"] + 1,
        )
        return pagination.respond(
            rows,
            args["limit"],
            key=lambda d: [d.credential.created_at.isoformat(), d.credential.id],
        )

    @blp.arguments(DeviceRequestSchema)
    @blp.response(201, IssuedDeviceSchema)
    @blp.alt_response(404, description="account_id names no account you may manage")
    def post(self, body):
        """Issue a device credential for ODK Collect; its password and QR code are shown only now."""
        url = server_url()
        issued = service.issue(
            request_session(),
            current_actor(),
            label=body["label"],
            account_id=body["account_id"],
            days=body["days"],
            server_url=url,
        )
        row = issued.credential
        return {
            "id": row.id,
            "account_id": row.account_id,
            "label": row.label,
            "username": row.username,
            "password": issued.secret,
            "server_url": url,
            "expires_at": row.expires_at,
            "qr_payload": issued.qr_payload,
            "qr_png": base64.b64encode(issued.qr_png).decode("ascii"),
        }, 201


@blp.route("/devices/<uuid:device_id>")
class Device(MethodView):
    @blp.response(200, DeviceSchema)
    @blp.alt_response(404, description="Unknown, or not yours to revoke")
    def delete(self, device_id: uuid.UUID):
        """Revoke a device credential: the phone gets a 401 challenge from now on."""
        return service.revoke(request_session(), current_actor(), device_id)

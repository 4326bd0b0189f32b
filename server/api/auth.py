from flask import current_app, g, request
from flask.views import MethodView

from server.auth.actor import anonymous
from server.auth.verbs import ROLE_VERBS
from server.services import accounts as account_service
from server.services import auth as auth_service
from server.store.db import request_session

from .base import blueprint, current_actor, public
from .schemas.accounts import IssuedTokenSchema, LoginSchema, MeSchema
from .schemas.presenting import Joined

blp = blueprint("auth", "Signing in and out; who am I")


@blp.route("/auth/tokens")
class Tokens(MethodView):
    @public
    @blp.arguments(LoginSchema)
    @blp.response(201, IssuedTokenSchema)
    @blp.alt_response(401, description="Wrong username or password, or account disabled")
    @blp.alt_response(429, description="Too many failed sign-ins for this username; see Retry-After")
    def post(self, body):
        """Sign in: exchange username and password for a bearer token."""
        session = request_session()
        issued = auth_service.login(
            session,
            anonymous(g.request_id, request.remote_addr),
            username=body["username"],
            password=body["password"],
            device_id=body.get("device_id"),
            policy=auth_service.LoginPolicy.from_settings(current_app.config),
        )
        return {
            "token": issued.token,
            "token_type": "Bearer",
            "kind": issued.row.kind,
            "device_id": issued.row.device_id,
            "expires_at": issued.row.expires_at,
            "account": issued.account,
        }


@blp.route("/auth/tokens/current")
class CurrentToken(MethodView):
    @blp.response(204)
    def delete(self):
        """Sign out: the token stops working from the next request."""
        auth_service.logout(request_session(), current_actor())


@blp.route("/me")
class Me(MethodView):
    @blp.response(200, MeSchema)
    def get(self):
        """The signed-in account: role, area scope, allowed verbs and token."""
        session = request_session()
        actor = current_actor()
        account = account_service.own(session, actor)
        token = auth_service.current_token(session, actor)
        return Joined(account, verbs=sorted(ROLE_VERBS[account.role]), token=token)

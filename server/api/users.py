import uuid

from flask.views import MethodView

from server.services import accounts as account_service
from server.store.db import request_session

from . import pagination
from .base import blueprint, current_actor
from .schemas.accounts import UserCreateSchema, UserPageSchema, UserQuery, UserSchema, UserUpdateSchema

blp = blueprint("users", "Accounts (administrators)")


@blp.route("/users")
class Users(MethodView):
    @blp.arguments(UserQuery, location="query")
    @blp.response(200, UserPageSchema)
    def get(self, args):
        """List accounts, by username."""
        session = request_session()
        after = pagination.decode_one(args["cursor"], str)
        rows = account_service.page(
            session, current_actor(), after=after, limit=args["limit"] + 1, role=args.get("role")
        )
        return pagination.respond(rows, args["limit"], key=lambda a: [a.username])

    @blp.arguments(UserCreateSchema)
    @blp.response(201, UserSchema)
    @blp.alt_response(409, description="Username taken")
    def post(self, body):
        """Create an account with a role and an area scope."""
        session = request_session()
        account = account_service.create(session, current_actor(), **body)
        return account


@blp.route("/users/<uuid:user_id>")
class User(MethodView):
    @blp.response(200, UserSchema)
    @blp.alt_response(404, description="No such account")
    def get(self, user_id: uuid.UUID):
        """One account."""
        session = request_session()
        return account_service.read(session, current_actor(), user_id)

    @blp.arguments(UserUpdateSchema)
    @blp.response(200, UserSchema)
    @blp.alt_response(404, description="No such account")
    def patch(self, body, user_id: uuid.UUID):
        """Change an account: scope, role, password, or disable it (signs out its tokens)."""
        session = request_session()
        actor = current_actor()
        account = account_service.get(session, actor, user_id)
        return account_service.update(session, actor, account, **body)

"""How accounts are shown (shared by /me, /users and token issuing)."""

from server.services import accounts as account_service


def user_view(session, account) -> dict:
    return {
        "id": account.id,
        "username": account.username,
        "display_name": account.display_name,
        "role": account.role,
        "phone": account.phone,
        "disabled": account.disabled_at is not None,
        "created_at": account.created_at,
        "scope": account_service.scope_of(session, account),
    }

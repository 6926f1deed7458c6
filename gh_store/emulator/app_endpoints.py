"""The REST operations a GitHub App authenticates for with its JWT: ``apps/get-repo-installation``,
``apps/get-installation`` and ``apps/create-installation-access-token`` (see :mod:`.apps` for the
rules the JWT and the tokens follow).

Owns :class:`AppEndpoints`. A token request may name the repositories (by name or id) and the
permissions it wants: another repository, or a permission the App was not granted, is GitHub's
422; without them the token gets the installation's repositories and all its permissions.
"""

from __future__ import annotations

from typing import Any

from .access import Access
from .apps import App, Installation
from .bodies import body_of
from .errors import ApiError, error_body, not_found
from .exchange import Exchange, Response
from .shapes import repo_json, timestamp, user_json

__all__ = ["AppEndpoints"]


class AppEndpoints(Access):
    """The App's own endpoints: JWT in, installations and tokens out."""

    def get_repo_installation(self, request: Exchange) -> Response:
        app = self._app(request)
        for installation in self.state.apps.installations.values():
            if installation.app_id == app.id:
                return Response(200, self._installation_json(request, installation, app))
        raise not_found()

    def get_installation(self, request: Exchange, installation_id: str) -> Response:
        app = self._app(request)
        installation = self._installation(app, installation_id)
        return Response(200, self._installation_json(request, installation, app))

    def create_access_token(self, request: Exchange, installation_id: str) -> Response:
        app = self._app(request)
        installation = self._installation(app, installation_id)
        data = body_of(request) if request.sent_body else {}
        names = data.get("repositories") or []
        ids = data.get("repository_ids") or []
        if any(str(name).lower() != self.state.name.lower() for name in names) or any(
            rid != self.state.repo_id for rid in ids
        ):
            raise _unprocessable(
                "There is at least one repository that does not exist or is not accessible to "
                "the parent installation."
            )
        asked = data.get("permissions") or {}
        granted = dict(app.permissions)
        rank = {"read": 1, "write": 2, "admin": 3}
        for name, level in asked.items():
            if rank.get(str(level), 9) > rank.get(granted.get(name, ""), 0):
                raise _unprocessable(
                    "The permissions requested are not granted to this installation."
                )
        permissions = dict(asked) or granted
        now = self.state.clock.now()
        token = self.state.apps.mint(installation, now, permissions)
        body: dict[str, Any] = {
            "token": token,
            "expires_at": timestamp(int(self.state.apps.expires_at(token))),
            "permissions": permissions,
            "repository_selection": "selected" if names or ids else "all",
        }
        if names or ids:
            body["repositories"] = [repo_json(request.base_url, self.state, None)]
        return Response(201, body)

    def _app(self, request: Exchange) -> App:
        return self.state.apps.app_for_jwt(request.token, self.state.clock.now())

    def _installation(self, app: App, installation_id: str) -> Installation:
        installation = self.state.apps.installations.get(int(installation_id))
        if installation is None or installation.app_id != app.id:
            raise not_found()
        return installation

    def _installation_json(
        self, request: Exchange, installation: Installation, app: App
    ) -> dict[str, Any]:
        api = request.base_url
        owner = self.state.ensure_user(self.state.owner)
        return {
            "id": installation.id,
            "account": user_json(api, owner),
            "repository_selection": "selected",
            "access_tokens_url": f"{api}/app/installations/{installation.id}/access_tokens",
            "repositories_url": f"{api}/installation/repositories",
            "html_url": f"https://github.com/settings/installations/{installation.id}",
            "app_id": app.id,
            "client_id": app.client_id,
            "app_slug": app.slug,
            "target_id": owner.id,
            "target_type": "User",
            "permissions": dict(app.permissions),
            "events": [],
            "created_at": timestamp(installation.created_at),
            "updated_at": timestamp(installation.created_at),
            "single_file_name": None,
            "suspended_by": None,
            "suspended_at": None,
        }


def _unprocessable(message: str) -> ApiError:
    return ApiError(422, error_body(422, message))

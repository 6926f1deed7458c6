"""REST endpoints about the repository as a whole: itself, users, permissions, the rate limit,
``repository_dispatch`` and the repository's labels.

Owns :class:`RepoEndpoints`; the routes are in :mod:`.endpoints`, the access rules in
:mod:`.access`.
"""

from __future__ import annotations

from typing import Any

from .access import Access
from .bodies import body_of
from .errors import forbidden, not_found, requires_authentication
from .exchange import Exchange, Response
from .records import permission_level
from .routes import paginate
from .shapes import label_json, private_user_json, public_user_json, repo_json, user_json

__all__ = ["RepoEndpoints"]


def _api_role(role: str) -> str:
    """The coarse ``permission`` GitHub reports for a role: maintain -> write, triage -> read."""
    return {"maintain": "write", "triage": "read"}.get(role, role)


class RepoEndpoints(Access):
    def get_repo(self, request: Exchange) -> Response:
        self.need_read(request)
        login = request.user.login if request.user else None
        return Response(200, repo_json(request.base_url, self.state, login))

    def get_authenticated_user(self, request: Exchange) -> Response:
        if request.user is None:
            raise requires_authentication()
        if request.user.type == "Bot":
            raise forbidden(True)
        return Response(
            200, private_user_json(request.base_url, request.user, self.state.created_at)
        )

    def get_user(self, request: Exchange, login: str) -> Response:
        user = self.state.user(login)
        return Response(200, public_user_json(request.base_url, user, self.state.created_at))

    def get_permission(self, request: Exchange, login: str) -> Response:
        """The role GitHub's permission API reports: direct and team grants alike."""
        self.need_read(request)
        user = self.state.user(login)
        if self.state.apps.app_of_bot(user.login) is not None:
            raise not_found()  # an App's bot is no collaborator: the store must not ask
        role = self.state.permission_of(user.login)
        body = user_json(request.base_url, user)
        body["permissions"] = {
            "admin": role == "admin",
            "maintain": permission_level(role) >= permission_level("maintain"),
            "push": permission_level(role) >= permission_level("write"),
            "triage": permission_level(role) >= permission_level("triage"),
            "pull": permission_level(role) >= permission_level("read"),
        }
        role_name = self.state.role_name_of(user.login)
        body["role_name"] = role_name
        return Response(200, {"permission": _api_role(role), "role_name": role_name, "user": body})

    def dispatch(self, request: Exchange) -> Response:
        self.need(request, "write")
        data = body_of(request)
        payload = data.get("client_payload", {})
        self.state.dispatches.append({"event_type": data["event_type"], "client_payload": payload})
        return Response(204)

    def get_rate_limit(self, request: Exchange) -> Response:
        limits = self.state.limits
        core = limits.peek(*self.state.bucket_of(request.token, request.user))

        def other(limit: int, resource: str) -> dict[str, Any]:
            return {
                "limit": limit,
                "used": 0,
                "remaining": limit,
                "reset": core.reset,
                "resource": resource,
            }

        search = 30 if request.user else 10
        resources = {
            "core": core.json(),
            "search": other(search, "search"),
            "graphql": other(core.limit, "graphql"),
            "integration_manifest": other(5000, "integration_manifest"),
            "code_search": other(10, "code_search"),
        }
        return Response(200, {"resources": resources, "rate": core.json()})

    # --- labels --------------------------------------------------------------------------------

    def list_labels(self, request: Exchange) -> Response:
        self.need_read(request)
        labels = sorted(self.state.labels.values(), key=lambda lab: lab.name.lower())
        page, headers = paginate(request, labels)
        return Response(
            200, [label_json(request.base_url, self.state, lab) for lab in page], headers
        )

    def get_label(self, request: Exchange, name: str) -> Response:
        self.need_read(request)
        return Response(200, label_json(request.base_url, self.state, self.state.label(name)))

    def create_label(self, request: Exchange) -> Response:
        self.need(request, "write")
        data = body_of(request)
        label = self.state.create_label(
            data["name"], data.get("color", "ededed"), data.get("description")
        )
        body = label_json(request.base_url, self.state, label)
        return Response(201, body, {"Location": body["url"]})

    def update_label(self, request: Exchange, name: str) -> Response:
        self.need(request, "write")
        label = self.state.update_label(name, body_of(request))
        return Response(200, label_json(request.base_url, self.state, label))

    def delete_label(self, request: Exchange, name: str) -> Response:
        self.need(request, "write")
        self.state.delete_label(name)
        return Response(204)

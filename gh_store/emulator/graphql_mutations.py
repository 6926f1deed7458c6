"""The mutations the store sends: ``updateIssue``, ``closeIssue``, ``reopenIssue``, ``addReaction``,
``removeReaction``, ``addComment``, over the same state and access rules as REST; and
``deleteIssue`` (admins only; REST has no delete), for tests of a world where issues vanish.

Owns :class:`MutationRoot`. Each mutation is one field of the request and fails alone, as on
GitHub: its error names its path and the other fields still run (GraphQL runs a request's
mutations one after the other). Who may do what follows :mod:`.access` (an issue's author may edit
it; others need ``write`` for its body, ``triage`` for its state; reacting and commenting need
``read``). Inputs GitHub takes but the emulator does not model (assignees, labels, projects,
milestones, issue types) are refused, not ignored.

A test can make one mutation fail (``GitHubEmulator.inject_graphql_error``): the rule names the
field, and with ``after`` the mutation acts before its answer is replaced by the error, as when
GitHub reports a failure of something it did.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from graphql import GraphQLError

from .access import Access
from .errors import ApiError
from .graphql_nodes import (
    REACTION_ENUM,
    ActorNode,
    CommentNode,
    Context,
    IssueNode,
    RepositoryNode,
    github_error,
)
from .records import Comment, Issue, Reaction
from .shapes import node_id, parse_node_id, timestamp

__all__ = ["MutationRoot"]

T = TypeVar("T")

_CONTENT = {enum: content for content, enum in REACTION_ENUM.items()}
_UNMODELLED = ("assigneeIds", "labelIds", "milestoneId", "projectIds", "issueTypeId")
_INTERNAL = (
    "Something went wrong while executing your query. This may be the result of a timeout, or "
    "it could be a GitHub bug. Please include `0000:0000:0000000:0000000:00000000` when "
    "reporting this issue."
)


class MutationRoot:
    def __init__(self, context: Context) -> None:
        self.context = context
        self.access = Access(context.state)

    # --- issues --------------------------------------------------------------------------------

    def updateIssue(self, info: Any, input: dict[str, Any]) -> dict[str, Any]:
        def work() -> dict[str, Any]:
            refused = sorted(name for name in _UNMODELLED if input.get(name) is not None)
            if refused:
                raise github_error(
                    "UNPROCESSABLE", f"the emulator does not model {', '.join(refused)}"
                )
            issue = self._issue(input["id"])
            changes = {key: input[key] for key in ("title", "body") if input.get(key) is not None}
            self._may_edit(issue, "write" if changes else "read", "UpdateIssue")
            if input.get("state") is not None:
                self._may_edit(issue, "triage", "UpdateIssue")
                changes["state"] = str(input["state"]).lower()
            return {"issue": self._changed(issue, changes), "actor": None}

        return self._run(info, work)

    def closeIssue(self, info: Any, input: dict[str, Any]) -> dict[str, Any]:
        def work() -> dict[str, Any]:
            if input.get("duplicateIssueId") is not None:
                raise github_error("UNPROCESSABLE", "the emulator does not model duplicates")
            issue = self._issue(input["issueId"])
            self._may_edit(issue, "triage", "CloseIssue")
            reason = input.get("stateReason")
            changes = {"state": "closed", "state_reason": str(reason).lower() if reason else None}
            return {"issue": self._changed(issue, changes)}

        return self._run(info, work)

    def reopenIssue(self, info: Any, input: dict[str, Any]) -> dict[str, Any]:
        def work() -> dict[str, Any]:
            issue = self._issue(input["issueId"])
            self._may_edit(issue, "triage", "ReopenIssue")
            return {"issue": self._changed(issue, {"state": "open"})}

        return self._run(info, work)

    def deleteIssue(self, info: Any, input: dict[str, Any]) -> dict[str, Any]:
        def work() -> dict[str, Any]:
            issue = self._issue(input["issueId"])
            # GitHub lets only admins (and a personal repository's owner) delete an issue.
            if not self.access.can(self.context.exchange, "admin"):
                viewer = self.context.viewer
                raise github_error(
                    "FORBIDDEN",
                    f"{viewer.login} does not have the correct permissions to execute "
                    "`DeleteIssue`",
                )
            state = self.context.state
            self._state_call(lambda: state.delete_issue(issue.number))
            return {
                "clientMutationId": input.get("clientMutationId"),
                "repository": RepositoryNode(self.context),
            }

        return self._run(info, work)

    # --- reactions and comments ----------------------------------------------------------------

    def addReaction(self, info: Any, input: dict[str, Any]) -> dict[str, Any]:
        def work() -> dict[str, Any]:
            subject, reactions = self._reactable(input["subjectId"])
            login = self._need("read")
            reaction, _ = self._state_call(
                lambda: self.context.state.add_reaction(
                    reactions, login, _CONTENT[input["content"]]
                )
            )
            return self._reaction_payload(subject, reaction)

        return self._run(info, work)

    def removeReaction(self, info: Any, input: dict[str, Any]) -> dict[str, Any]:
        def work() -> dict[str, Any]:
            subject, reactions = self._reactable(input["subjectId"])
            login = self._need("read").lower()
            content = _CONTENT[input["content"]]
            mine = [r for r in reactions if r.user.lower() == login and r.content == content]
            for reaction in mine:
                reactions.remove(reaction)
            return self._reaction_payload(subject, mine[0] if mine else None)

        return self._run(info, work)

    def addComment(self, info: Any, input: dict[str, Any]) -> dict[str, Any]:
        def work() -> dict[str, Any]:
            issue = self._issue(input["subjectId"])
            login = self._need("read")
            if issue.locked and not self.access.can(self.context.exchange, "write"):
                raise github_error("FORBIDDEN", "Unable to create comment because issue is locked.")
            state = self.context.state
            comment = self._state_call(
                lambda: state.create_comment(issue.number, login, input["body"])
            )
            node = CommentNode(self.context, comment)
            return {
                "commentEdge": {"cursor": "", "node": node},
                "subject": IssueNode(self.context, issue),
                "timelineEdge": None,
            }

        return self._run(info, work)

    # --- helpers -------------------------------------------------------------------------------

    def _run(self, info: Any, work: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        """Run one mutation, or fail it as a test asked."""
        fault = self.context.state.graphql_faults.take("POST", info.field_name)
        if fault is None:
            return work()
        if fault.after:
            work()
        status = fault.status or 502
        if status == 404:
            raise github_error("NOT_FOUND", "Could not resolve to a node.")
        if status == 403:
            raise github_error("FORBIDDEN", "Resource not accessible by integration")
        if status == 422:
            raise github_error("UNPROCESSABLE", "The request could not be processed.")
        raise GraphQLError(_INTERNAL)

    def _node(self, global_id: str) -> tuple[str, int]:
        parsed = parse_node_id(global_id)
        if parsed is None:
            raise github_error(
                "NOT_FOUND", f"Could not resolve to a node with the global id of '{global_id}'"
            )
        return parsed

    def _issue(self, global_id: str) -> Issue:
        prefix, number = self._node(global_id)
        state = self.context.state
        found = next((i for i in state.issues.values() if i.id == number), None)
        if prefix != "I" or found is None:
            raise github_error(
                "NOT_FOUND", f"Could not resolve to a node with the global id of '{global_id}'"
            )
        return found

    def _reactable(self, global_id: str) -> tuple[IssueNode | CommentNode, list[Reaction]]:
        prefix, number = self._node(global_id)
        state = self.context.state
        if prefix == "IC" and number in state.comments:
            comment: Comment = state.comments[number]
            return CommentNode(self.context, comment), comment.reactions
        if prefix == "I":
            issue = self._issue(global_id)
            return IssueNode(self.context, issue), issue.reactions
        raise github_error(
            "NOT_FOUND", f"Could not resolve to a node with the global id of '{global_id}'"
        )

    def _need(self, role: str) -> str:
        return self._state_call(lambda: self.access.need(self.context.exchange, role))

    def _may_edit(self, issue: Issue, role: str, mutation: str) -> None:
        login = self._need("read")
        if issue.user.lower() == login.lower() or self.access.can(self.context.exchange, role):
            return
        viewer = self.context.viewer
        raise github_error(
            "FORBIDDEN",
            "Resource not accessible by integration"
            if viewer.type == "Bot"
            else f"{viewer.login} does not have the correct permissions to execute `{mutation}`",
        )

    def _changed(self, issue: Issue, changes: dict[str, Any]) -> IssueNode:
        if changes:
            login = self.context.viewer.login
            state = self.context.state
            issue = self._state_call(lambda: state.update_issue(issue.number, login, changes))
        return IssueNode(self.context, issue)

    def _reaction_payload(
        self, subject: IssueNode | CommentNode, reaction: Reaction | None
    ) -> dict[str, Any]:
        answer = None
        if reaction is not None:
            user = self.context.state.users.get(reaction.user.lower())
            answer = {
                "id": node_id("REA", reaction.id),
                "databaseId": reaction.id,
                "content": REACTION_ENUM[reaction.content],
                "createdAt": timestamp(reaction.created_at),
                # `Reaction.user` is a User: a bot's reaction has none, as on GitHub.
                "user": ActorNode(user) if user is not None and user.type == "User" else None,
                "reactable": subject,
            }
        return {"reaction": answer, "subject": subject, "reactionGroups": None}

    def _state_call(self, call: Callable[[], T]) -> T:
        """Run a state operation; its REST error becomes GitHub's GraphQL error."""
        try:
            return call()
        except ApiError as error:
            raise _graphql_error(error) from None


def _graphql_error(error: ApiError) -> GraphQLError:
    details = [e.get("message") for e in error.body.get("errors") or [] if isinstance(e, dict)]
    message = str(details[0] if details and details[0] else error.body.get("message"))
    if error.status == 404:
        return github_error("NOT_FOUND", "Could not resolve to a node.")
    if error.status in (401, 403):
        return github_error("FORBIDDEN", message)
    if error.status == 422:
        return github_error("UNPROCESSABLE", message[:1].upper() + message[1:])
    return GraphQLError(_INTERNAL)

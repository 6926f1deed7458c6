"""What a flow asks of GitHub: the needs a driver performs, and the answers it sends back.

Decisions that depend on GitHub's answers are written as *flows*: generators that yield a need,
receive its answer (or, thrown into them, the ``GitHubStoreError`` performing it raised) and finally
return a result, the way httpx's ``Auth.auth_flow`` yields requests and receives responses. A flow
does no I/O itself, so it can be run from a table of answers in a test, one step at a time next to
other flows, or by ``gh_store.driver`` against any transport. Each need names one operation of the
transport port (``gh_store.transport.port``) in domain terms. Pure data, no behaviour.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeAlias, TypeVar

__all__ = [
    "AddReaction",
    "CommentVersion",
    "Commit",
    "CountIssues",
    "CreateComment",
    "CreateIssue",
    "Dispatch",
    "Flow",
    "GetIssue",
    "GetPermission",
    "ListCommentEdits",
    "ListComments",
    "ListIssues",
    "ListReactions",
    "Listing",
    "Need",
    "OwnLogin",
    "StoreReacted",
    "UpdateIssue",
    "run_flow",
]

T = TypeVar("T")


@dataclass(frozen=True)
class Listing:
    """Items of a listing, oldest first, each once.

    ``complete`` is False when the listing kept changing while it was read and only a consistent
    beginning of it could be read (see ``gh_store.transport.paging``): every item up to the last
    one given was seen, later ones may be missing. ``served_at`` is GitHub's clock when it
    answered the first page (its ``Date`` header), None when it did not say.
    """

    items: tuple[Mapping[str, Any], ...] = ()
    complete: bool = True
    served_at: datetime | None = None

    def __iter__(self) -> Iterator[Mapping[str, Any]]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)


@dataclass(frozen=True)
class GetIssue:
    """-> the issue (404 raises ``GitHubAPIError``).

    ``with_comments``: its comments are listed next (a processing run). GraphQL then reads the
    issue with its newest comments in one query; otherwise a transport reads just the issue,
    which REST does with a conditional request (free when nothing changed: a client's repeated
    reads).
    """

    number: int
    with_comments: bool = False


@dataclass(frozen=True)
class ListIssues:
    """-> ``Listing`` of issues (pull requests too) carrying every label, oldest first."""

    labels: tuple[str, ...]
    state: str = "all"
    since: str | None = None


@dataclass(frozen=True)
class CountIssues:
    """-> how many issues (pull requests too) carry every label, in one request."""

    labels: tuple[str, ...]
    state: str = "all"


@dataclass(frozen=True)
class ListComments:
    """-> ``Listing`` of the issue's comments updated at or after ``since``, ascending by id.

    ``to_process``: a processing run's listing, to act on. GraphQL reads those (with whether this
    token reacted, for free); a client's reads (history, polls) go where reading again what has
    not changed costs nothing: REST's conditional requests.
    """

    number: int
    since: str | None = None
    to_process: bool = False


@dataclass(frozen=True)
class GetPermission:
    """-> GitHub's role for ``login``: none read triage write maintain admin."""

    login: str


@dataclass(frozen=True)
class CommentVersion:
    """One version of a comment's text from its edit history: ``text`` is None when that
    version was deleted from the history (its text is gone)."""

    text: str | None
    edited_at: str


@dataclass(frozen=True)
class ListCommentEdits:
    """-> for each comment still there, every version of its text GitHub keeps (its edit
    history, the text as created included), newest first, as a tuple of ``CommentVersion``; a
    comment never edited has none. None when the transport cannot read edit histories (GitHub's
    REST API has none)."""

    comment_ids: tuple[int, ...]


@dataclass(frozen=True)
class ListReactions:
    """-> ``Listing`` of the reactions of ``content`` on a comment, each with its ``user``."""

    comment_id: int
    content: str


@dataclass(frozen=True)
class CreateIssue:
    """-> the new issue (made once, even when the answer is lost and the request retried)."""

    title: str
    body: str
    labels: tuple[str, ...]


@dataclass(frozen=True)
class UpdateIssue:
    """-> the issue after one PATCH with only the fields given."""

    number: int
    body: str | None = None
    state: str | None = None
    state_reason: str | None = None
    labels: tuple[str, ...] | None = None

    @property
    def fields(self) -> dict[str, Any]:
        given = {"body": self.body, "state": self.state, "state_reason": self.state_reason}
        fields: dict[str, Any] = {k: v for k, v in given.items() if v is not None}
        if self.labels is not None:
            fields["labels"] = list(self.labels)
        return fields


@dataclass(frozen=True)
class CreateComment:
    """-> the new comment (made once, even when the answer is lost and the request retried)."""

    number: int
    body: str


@dataclass(frozen=True)
class AddReaction:
    """-> True if the reaction is new, False if this identity had already placed it."""

    comment_id: int
    content: str


@dataclass(frozen=True)
class Commit:
    """-> the issue after one round's writes, in the order that keeps a crash repairable:

    ``repair`` (the previous run's marks, owed after a crash), then one write of ``body`` and
    ``state`` (None: leave it), then ``marks`` (this round's decisions). A mark on a comment
    deleted meanwhile is passed over. Over REST that is one request each; a transport may carry
    them in fewer (GraphQL: several mutations per request), but never a mark of this round
    before the write has succeeded. A failure part way raises, as a crash between requests
    would: the next run repairs it.
    """

    number: int
    body: str | None = None
    state: str | None = None
    state_reason: str | None = None
    repair: tuple[tuple[int, str], ...] = ()
    marks: tuple[tuple[int, str], ...] = ()


@dataclass(frozen=True)
class StoreReacted:
    """-> True if this token's own identity placed the ``content`` reaction on the comment,
    False if it did not, None if the transport cannot tell without a request of its own (REST).

    GraphQL reads it for free with the comments (``reactionGroups.viewerHasReacted``).
    """

    comment_id: int
    content: str


@dataclass(frozen=True)
class OwnLogin:
    """-> this token's own login, or None when GitHub will not say (an app's installation token
    asked over REST, or on an API without GraphQL: its reactions and writes appear as a
    ``[bot]`` account).

    Asked once per transport, and only when a reaction's author must be told from the store's.
    """


@dataclass(frozen=True)
class Dispatch:
    """-> None: a ``repository_dispatch`` event."""

    event_type: str
    client_payload: Mapping[str, Any] = field(default_factory=dict)


Need: TypeAlias = (
    GetIssue
    | ListIssues
    | CountIssues
    | ListComments
    | GetPermission
    | ListReactions
    | ListCommentEdits
    | CreateIssue
    | UpdateIssue
    | CreateComment
    | AddReaction
    | Commit
    | StoreReacted
    | OwnLogin
    | Dispatch
)

#: A decision that needs GitHub's answers: yields needs, receives answers, returns ``T``.
Flow: TypeAlias = Generator[Need, Any, T]


def run_flow(flow: Flow[T], answer: Any) -> T:
    """Run ``flow`` answering every need with ``answer(need)``: for tests and for drivers.

    ``answer`` may raise; the exception is thrown into the flow at the point of its need, which
    either handles it or lets it propagate out of here.
    """
    try:
        need = next(flow)
        while True:
            try:
                reply = answer(need)
            except Exception as exc:
                need = flow.throw(exc)
            else:
                need = flow.send(reply)
    except StopIteration as stop:
        return stop.value  # type: ignore[no-any-return]

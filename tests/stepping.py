"""Driving flows one need at a time, so tests can interleave several clients deterministically.

A flow (``gh_store.core.needs``) yields each request it needs; ``Stepper`` performs one need per
``step()`` with ``gh_store.driver.perform``, so a test decides the exact order in which two
clients' requests reach GitHub (the emulator), with anything else happening in between.
"""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from gh_store.core.needs import Flow, Need
from gh_store.driver import perform
from gh_store.transport.port import GitHubTransport

T = TypeVar("T")


class Stepper(Generic[T]):
    """One flow over one transport, advanced a need at a time."""

    def __init__(self, flow: Flow[T], transport: GitHubTransport) -> None:
        self._flow = flow
        self._transport = transport
        self.need: Need | None = None
        self.done = False
        self.result: T | None = None
        self.error: BaseException | None = None
        self._advance(lambda: next(self._flow))

    def step(self) -> Need:
        """Perform the pending need and send its answer; returns the need performed."""
        assert not self.done and self.need is not None, "the flow has ended"
        need = self.need
        error: Exception | None = None
        answer: Any = None
        try:
            answer = perform(need, self._transport)
        except Exception as exc:  # thrown into the flow, as the driver does
            error = exc
        if error is not None:
            thrown = error
            self._advance(lambda: self._flow.throw(thrown))
        else:
            self._advance(lambda: self._flow.send(answer))
        return need

    def run(self) -> T | None:
        while not self.done:
            self.step()
        return self.result

    def _advance(self, move: Any) -> None:
        try:
            self.need = move()
        except StopIteration as stop:
            self.done, self.need, self.result = True, None, stop.value
        except Exception as exc:
            self.done, self.need, self.error = True, None, exc

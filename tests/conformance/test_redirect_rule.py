"""connect.redirect-not-followed (issue 12.5): a 3xx answer to the handshake fails the
connection, as WHATWG's WebSocket does; a client that follows the Location is told apart.

The follower below stands for a client library that follows redirects (RFC 6455 §4.1 leaves it
to the client): it connects where the peer's ``/redirect`` sends it, so the task opens. The rule
is a SHOULD, so that client gets WARN; the reference (no redirect followed) gets PASS."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit, urlunsplit

from conformance.engine import RunResult
from generator.spec.rules import RuleSet
from reference_impl import uni
from tests.conformance.broken_impls import Options, TaskWrapper, UniWrapper

Runner = Callable[..., RunResult]
SELECT = ["connect.redirect-not-followed[[]302]", "connect.redirect-not-followed[[]307]"]


class FollowsRedirects(UniWrapper):
    """Connects to the peer's ``/echo`` when asked for its ``/redirect``: what following the
    ``Location`` the peer answers with amounts to."""

    def connectSocket(self, options: Options) -> TaskWrapper:
        url = options.get("url")
        if isinstance(url, str) and "/redirect" in url:
            parts = urlsplit(url)
            options = {**options, "url": urlunsplit((*parts[:2], "/echo", "redirected=1", ""))}
        return super().connectSocket(options)


def _verdicts(runner: Runner, impl: object, rules: RuleSet) -> dict[str, str]:
    run = runner(impl, rules, select=SELECT)
    return {r.id: str(r.verdict) for r in run.results}


def test_the_reference_fails_a_redirected_handshake(engine_runner: Runner, rules: RuleSet) -> None:
    assert set(_verdicts(engine_runner, uni, rules).values()) == {"PASS"}


def test_a_client_that_follows_the_redirect_is_told_apart(
    engine_runner: Runner, rules: RuleSet
) -> None:
    verdicts = _verdicts(engine_runner, FollowsRedirects(uni), rules)
    assert len(verdicts) == 2 and set(verdicts.values()) == {"WARN"}, verdicts

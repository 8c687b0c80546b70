"""Warden's Python client: ask before acting, report after, remember failures, obey the kill switch.

One file, standard library only, so an agent installs it by copying it next to its code::

    from warden import Warden

    warden = Warden()                      # WARDEN_URL and WARDEN_KEY from the environment

    @warden.tool(name="docker.restart", scope=["staging/*"], rate_limit="10/minute",
                 action="docker restart {name}", resource="staging/{name}")
    def restart_container(name):
        ...

    restart_container("traefik", confidence=0.82)   # proposed, maybe approved, run, reported

Everything goes through the agent API under /api/v1 (docs/api.md); nothing here decides on its
own what Warden decides. The few checks made locally (a tool's declared scope and rate limit,
the approved args' hash) only ever make an answer stricter.
"""

from __future__ import annotations

import decimal
import email.utils
import functools
import hashlib
import http.client
import inspect
import json
import logging
import os
import queue
import random
import re
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional

__all__ = ["Warden", "Decision", "Memory", "ControlWatcher", "WardenError", "WardenDenied", "canonical_json", "args_hash"]
__version__ = "0.1.0"

log = logging.getLogger("warden")

DEFAULT_URL = "http://localhost:11480"
STOPPING_STATES = ("suspended", "killed")


# --------------------------------------------------------------------------------------------
# Errors


class WardenError(Exception):
    """An error answer of the API (``{"error": {"code", "message", "details"}}``), or a failure
    to reach it at all (``status`` None, ``code`` "unreachable"), or a client-side integrity
    failure (``code`` "args_hash_mismatch")."""

    def __init__(self, status: Optional[int], code: str, message: str, details: Any = None):
        super().__init__(f"{status if status is not None else '-'} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.details = details

    @property
    def fields(self) -> List[str]:
        """The fields a 400 names (``["subject"]``), so a caller can point at its bad input."""
        if not isinstance(self.details, list):
            return []
        return [d["field"] for d in self.details if isinstance(d, dict) and "field" in d]


class WardenDenied(Exception):
    """The call may not run: Warden denied it, an approver rejected it, the approval expired,
    the wait timed out while it was still pending, or the tool's own declaration refused it.

    ``status`` says which ("denied", "rejected", "expired", "pending_approval", or "refused"
    for a local refusal); ``reasons`` are the guardrail's ``{code, message}`` items; ``reason``
    is the approver's rejection reason.
    """

    def __init__(self, decision: "Decision"):
        self.decision = decision
        self.status = decision.status
        self.reasons = decision.reasons
        self.reason = decision.reason
        why = decision.reason or "; ".join(r.get("message", r.get("code", "")) for r in decision.reasons)
        super().__init__(f"{decision.status}: {why}" if why else decision.status)


# --------------------------------------------------------------------------------------------
# The approved args' hash (server/lib/canonical-json.ts)


def canonical_json(value: Any) -> str:
    """JSON with sorted keys and no spaces, written exactly as the server's safe-stable-stringify
    writes it, so that the hash of the approved args can be compared byte for byte. That means
    JavaScript's number formatting and key order (UTF-16 code units), not Python's."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value) if abs(value) <= 2**53 else _js_number(float(value))
    if isinstance(value, float):
        return _js_number(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(canonical_json(v) for v in value) + "]"
    if isinstance(value, dict):
        keys = sorted(value, key=lambda k: k.encode("utf-16-be", "surrogatepass"))
        return "{" + ",".join(json.dumps(k, ensure_ascii=False) + ":" + canonical_json(value[k]) for k in keys) + "}"
    raise TypeError(f"not JSON: {type(value).__name__}")


def _js_number(x: float) -> str:
    """Number.prototype.toString: the same shortest digits as repr(), placed by JavaScript's rules."""
    if x != x or x in (float("inf"), float("-inf")):
        return "null"
    if x == 0:
        return "0"
    sign = "-" if x < 0 else ""
    t = decimal.Decimal(repr(abs(x))).normalize().as_tuple()
    digits = "".join(map(str, t.digits))
    k, n = len(digits), len(t.digits) + int(t.exponent)
    if k <= n <= 21:
        text = digits + "0" * (n - k)
    elif 0 < n <= 21:
        text = digits[:n] + "." + digits[n:]
    elif -6 < n <= 0:
        text = "0." + "0" * -n + digits
    else:
        e = n - 1
        text = digits[0] + ("." + digits[1:] if k > 1 else "") + ("e+" if e >= 0 else "e-") + str(abs(e))
    return sign + text


def args_hash(args: Any) -> str:
    """sha256 of the canonical JSON: what Warden sends as ``approvedArgsHash``."""
    return hashlib.sha256(canonical_json(args).encode("utf-8")).hexdigest()


# --------------------------------------------------------------------------------------------
# Answers


@dataclass
class Decision:
    """Warden's answer to "may I?", merged from the proposal's answer and, after a wait, the
    action's state. Run ``approved_args`` (an approver may have edited them), never your own."""

    id: str
    decision: str
    status: str
    reasons: List[Dict[str, str]] = field(default_factory=list)
    recalled: List[Dict[str, Any]] = field(default_factory=list)
    approved_args: Optional[Dict[str, Any]] = None
    approved_args_hash: Optional[str] = None
    policy_version: Optional[int] = None
    args_edited: bool = False
    decided_by: Optional[str] = None
    reason: Optional[str] = None
    expires_at: Optional[str] = None
    retry_after_seconds: Optional[float] = None
    # An action found again by its external_id that already ran: what was reported.
    output: Optional[Dict[str, Any]] = None
    error: Optional[str] = None

    @property
    def allowed(self) -> bool:
        """True when the action may run now (auto_execute, execute_with_notification, or approved)."""
        return self.status == "approved"

    @classmethod
    def _from(cls, body: Dict[str, Any], before: Optional["Decision"] = None) -> "Decision":
        approval = body.get("approval") or {}
        return cls(
            id=body["id"],
            decision=body["decision"],
            status=body["status"],
            reasons=body.get("reasons") or [],
            # A wait answers with the action, whose recalled list is the one of the proposal.
            recalled=body.get("recalled") or (before.recalled if before else []),
            approved_args=body.get("approvedArgs"),
            approved_args_hash=body.get("approvedArgsHash"),
            policy_version=body.get("policyVersion", before.policy_version if before else None),
            args_edited=bool(body.get("argsEdited", False)),
            decided_by=body.get("decidedBy"),
            reason=body.get("reason"),
            expires_at=body.get("expiresAt") or approval.get("expiresAt"),
            retry_after_seconds=body.get("retryAfterSeconds"),
            output=body.get("output"),
            error=body.get("error"),
        )


@dataclass
class Memory:
    """One recalled memory, with its score and provenance (the action or task it came from)."""

    id: str
    kind: str
    subject: str
    body: str
    score: float
    agent: Optional[str]
    tags: List[str]
    action_id: Optional[str]
    task_id: Optional[str]
    occurrences: int
    created_at: str


# --------------------------------------------------------------------------------------------
# The client


class Warden:
    """One agent's connection to Warden.

    ``url`` and ``key`` default to the environment's WARDEN_URL and WARDEN_KEY. ``retries`` is
    how many times a request is repeated after a network error, a 5xx or a 429 (writes carry one
    Idempotency-Key across all attempts, so Warden creates nothing twice). ``timeout`` bounds
    each HTTP request in seconds (long-polls add their own wait to it).
    """

    def __init__(self, url: Optional[str] = None, key: Optional[str] = None, *, retries: int = 3, timeout: float = 30.0,
                 max_retry_wait: float = 120.0):
        self.url = (url or os.environ.get("WARDEN_URL") or DEFAULT_URL).rstrip("/")
        self.key = key or os.environ.get("WARDEN_KEY")
        if not self.key:
            raise ValueError("Warden needs a key: pass key=... or set WARDEN_KEY (an agent key, wdn_agent_...)")
        self.retries = retries
        self.timeout = timeout
        self.max_retry_wait = max_retry_wait
        self.memory = MemoryClient(self)
        self.control = ControlWatcher(self)

    def __enter__(self) -> "Warden":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def close(self) -> None:
        """Stops the control watcher, if it was started."""
        self.control.stop()

    # --- HTTP -------------------------------------------------------------------------------

    def request(self, method: str, path: str, body: Any = None, *, query: Optional[Dict[str, Any]] = None,
                timeout: Optional[float] = None, idempotency_key: Optional[str] = None) -> Any:
        """One API call with retries; returns the parsed JSON answer (None for 204).

        Every call of the API can go through here, including ones this module has no helper
        for (tasks, usage, scores). Network errors, 5xx and 429 are retried with backoff,
        waiting what Retry-After says; a write keeps the same Idempotency-Key on every attempt.
        """
        if query:
            path += "?" + urllib.parse.urlencode({k: v for k, v in query.items() if v is not None})
        headers = {"Authorization": f"Bearer {self.key}", "Accept": "application/json", "User-Agent": f"warden-python/{__version__}"}
        data = None
        if body is not None:
            data = json.dumps(body).encode("utf-8")
            headers["Content-Type"] = "application/json"
        if method != "GET":
            headers["Idempotency-Key"] = idempotency_key or f"py-{uuid.uuid4()}"
        attempt = 0
        while True:
            try:
                return self._send(method, path, data, headers, timeout or self.timeout)
            except _Retryable as retry:
                if attempt >= self.retries:
                    raise retry.error from None
                wait = retry.retry_after if retry.retry_after is not None else min(8.0, 0.5 * 2**attempt) * (0.5 + random.random())
                log.info("warden: %s %s: %s; retrying in %.1f s", method, path, retry.error, wait)
                time.sleep(min(wait, self.max_retry_wait))
                attempt += 1

    def _send(self, method: str, path: str, data: Optional[bytes], headers: Dict[str, str], timeout: float) -> Any:
        req = urllib.request.Request(self.url + path, data=data, headers=headers, method=method)
        try:
            with urllib.request.urlopen(req, timeout=timeout) as response:
                text = response.read().decode("utf-8")
                return json.loads(text) if text else None
        except urllib.error.HTTPError as answer:
            error = _api_error(answer.code, answer.read().decode("utf-8", "replace"))
            if answer.code == 429 or answer.code >= 500:
                raise _Retryable(error, _retry_after(answer.headers.get("Retry-After"))) from None
            raise error from None
        except (urllib.error.URLError, http.client.HTTPException, OSError) as failure:
            reason = getattr(failure, "reason", failure)
            raise _Retryable(WardenError(None, "unreachable", f"{method} {self.url}{path}: {reason}"), None) from None

    # --- Ask before acting -------------------------------------------------------------------

    def check(self, action: str, confidence: float, *, tool: Optional[str] = None, resource: Optional[str] = None,
              args: Optional[Dict[str, Any]] = None, rationale: Optional[str] = None, task_id: Optional[str] = None,
              reversible: Optional[bool] = None, undo: Optional[Dict[str, Any]] = None, wait: bool = True,
              timeout: Optional[float] = None, external_id: Optional[str] = None) -> Decision:
        """Proposes an action (POST /api/v1/actions) and returns Warden's decision.

        ``check("docker restart traefik", 0.82)`` is a whole proposal: without a ``tool`` Warden
        judges the action by its patterns, memory and confidence, and by policy lets it go no
        further than ``execute_with_notification`` (the reasons say ``no_tool``).

        When a human must decide, waits for them (long-polls ``/wait``) for at most ``timeout``
        seconds, or until the approval is decided or expires when ``timeout`` is None; with
        ``wait=False`` it returns at once. The answer is a decision, not an exception: look at
        ``decision.allowed``. When allowed, the approved args are checked against Warden's hash.

        ``external_id`` (a framework's tool-call id, unique per agent) makes the call idempotent:
        checked again with it, Warden answers with that action as it is now (``status``
        "succeeded" and its ``output`` once it ran), never a second action.
        """
        body: Dict[str, Any] = {"action": action, "confidence": confidence, "args": args or {}}
        for name, value in (("tool", tool), ("resource", resource), ("rationale", rationale), ("taskId", task_id),
                            ("reversible", reversible), ("undo", undo), ("externalId", external_id)):
            if value is not None:
                body[name] = value
        decision = Decision._from(self.request("POST", "/api/v1/actions", body))
        if wait and decision.status == "pending_approval":
            decision = self.wait(decision, timeout)
        if decision.allowed and decision.approved_args_hash and args_hash(decision.approved_args or {}) != decision.approved_args_hash:
            raise WardenError(None, "args_hash_mismatch", f"the approved args of {decision.id} do not match Warden's hash: not running them")
        return decision

    def wait(self, decision: Decision, timeout: Optional[float] = None) -> Decision:
        """Waits until a pending action is decided (or ``timeout`` seconds pass), in long-polls of
        at most a minute so that no proxy or socket timeout cuts one off."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while decision.status == "pending_approval":
            left = 60.0 if deadline is None else deadline - time.monotonic()
            if left <= 0:
                break
            seconds = max(1, min(60, int(left)))
            body = self.request("GET", f"/api/v1/actions/{decision.id}/wait", query={"timeoutSeconds": seconds}, timeout=seconds + self.timeout)
            decision = Decision._from(body, before=decision)
        return decision

    def report(self, action_id: str, status: str, *, output: Optional[Dict[str, Any]] = None, error: Optional[str] = None,
               failure_reason: Optional[str] = None, duration_ms: Optional[int] = None, cost: Optional[float] = None,
               undo: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
        """Reports the outcome of an approved action: ``status`` "succeeded" or "failed". A
        failure with a ``failure_reason`` becomes negative knowledge every agent recalls. An
        ``undo`` ({"tool", "args"}) computed from the args that ran replaces the proposal's."""
        body: Dict[str, Any] = {"status": status}
        for name, value in (("output", output), ("error", error), ("failureReason", failure_reason), ("durationMs", duration_ms), ("cost", cost),
                            ("undo", undo)):
            if value is not None:
                body[name] = value
        return self.request("POST", f"/api/v1/actions/{action_id}/result", body)

    # --- Tools ----------------------------------------------------------------------------

    def tool(self, name: Any = None, *, scope: Optional[List[str]] = None, rate_limit: Optional[str] = None,
             audit: bool = True, requires_confirmation: bool = False, reversible: Optional[bool] = None,
             undo: Optional[Callable[..., Any]] = None, action: Optional[str] = None,
             resource: Optional[Any] = None, confidence: Optional[float] = None) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        """The seed's ``@tool`` decorator: every call of the function is proposed to Warden first,
        waits for a human when needed, runs with the APPROVED args only, and is reported.

        - ``name``: the tool's name in Warden's registry (default: the function's name).
        - ``scope``, ``rate_limit``, ``requires_confirmation``, ``reversible``: the tool's
          definition, exactly the registry's ``scopes``, ``rateLimit``, ``requiresConfirmation``
          and ``reversible`` (publish it with :meth:`register_tool` and an admin's token). Warden
          enforces them; the scope and rate limit are also checked here first, so that the
          code's own declaration holds even where the registry is looser.
        - ``audit``: Warden audits every proposal and result whatever this says; with True the
          function's return value is reported as the action's output, with False only the
          outcome and duration are (for outputs that are large or sensitive).
        - ``undo``: how to reverse a call, sent with it so a kill can roll it back: another
          decorated tool (called with the same args), or a function of the call's args that
          returns ``(tool_name, args)``. Giving one makes the call ``reversible``.
        - ``action`` and ``resource``: templates filled from the call's args
          (``"docker restart {name}"``, ``"staging/{name}"``), or functions of them; the action
          defaults to ``name(args)``.
        - ``confidence``: the default confidence; each call may pass ``confidence=``,
          ``rationale=`` and ``task_id=`` as keywords (which the function itself cannot use).

        A denied, rejected, expired or still pending call raises :class:`WardenDenied`; an
        exception of the function is reported as a failure (its message as the failure reason,
        which becomes negative knowledge) and raised again.
        """

        def decorate(fn: Callable[..., Any]) -> Callable[..., Any]:
            # Unsaid, reversibility follows from an undo, else is left to the registry's definition.
            is_reversible = reversible if reversible is not None else (True if undo is not None else None)
            spec = _ToolSpec(self, fn, name or fn.__name__.lower(), scope or [], rate_limit, audit, requires_confirmation,
                             is_reversible, undo, action, resource, confidence)
            # A decorated tool is also the undo handler for its own name: a kill's rollback
            # order naming it runs the function directly (a killed agent's proposals are refused).
            self.control.register_undo(spec.name, fn)

            @functools.wraps(fn)
            def call(*args: Any, confidence: Optional[float] = None, rationale: Optional[str] = None,
                     task_id: Optional[str] = None, **kwargs: Any) -> Any:
                return spec.call(args, kwargs, confidence, rationale, task_id)

            call.warden_tool = spec  # type: ignore[attr-defined]
            return call

        if callable(name):  # used bare, as @warden.tool
            fn, name = name, None
            return decorate(fn)
        return decorate

    def register_tool(self, tool: Any, *, description: Optional[str] = None, risk: Optional[str] = None) -> Dict[str, Any]:
        """Publishes a decorated tool's definition to Warden's registry (PUT /api/v1/tools/:name).
        Provisioning, not agent work: the client's key must be an admin's personal token."""
        spec: _ToolSpec = tool.warden_tool
        body = spec.registry_body()
        doc = description if description is not None else inspect.getdoc(spec.fn)
        if doc:
            body["description"] = doc[:1000]
        if risk is not None:
            body["risk"] = risk
        return self.request("PUT", f"/api/v1/tools/{urllib.parse.quote(spec.name)}", body)["tool"]


class _Retryable(Exception):
    def __init__(self, error: WardenError, retry_after: Optional[float]):
        super().__init__(str(error))
        self.error = error
        self.retry_after = retry_after


def _api_error(status: int, text: str) -> WardenError:
    try:
        error = json.loads(text)["error"]
        return WardenError(status, error.get("code", f"http_{status}"), error.get("message", ""), error.get("details"))
    except (ValueError, KeyError, TypeError, AttributeError):
        return WardenError(status, f"http_{status}", text.strip()[:500] or http.client.responses.get(status, ""))


def _retry_after(header: Optional[str]) -> Optional[float]:
    """Retry-After in seconds (Warden sends seconds; an HTTP date counts from now)."""
    if not header:
        return None
    try:
        return max(0.0, float(header))
    except ValueError:
        try:
            return max(0.0, email.utils.parsedate_to_datetime(header).timestamp() - time.time())
        except (TypeError, ValueError):
            return None


# --------------------------------------------------------------------------------------------
# The tool decorator's work


_RATE = re.compile(r"^(\d{1,6})/(second|minute|hour|day)$")
_PERIOD = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}
_RESERVED = ("confidence", "rationale", "task_id")


def _glob(pattern: str) -> "re.Pattern[str]":
    """A scope glob as Warden reads it (picomatch): ``*`` within one path segment, ``**`` across."""
    parts = re.split(r"(\*\*|\*|\?)", pattern)
    regex = "".join({"**": ".*", "*": "[^/]*", "?": "[^/]"}.get(p, re.escape(p)) for p in parts)
    return re.compile(f"^{regex}$")


class _ToolSpec:
    """A decorated function's declaration and the steps of one call of it."""

    def __init__(self, warden: Warden, fn: Callable[..., Any], name: str, scope: List[str], rate_limit: Optional[str], audit: bool,
                 requires_confirmation: bool, reversible: Optional[bool], undo: Optional[Callable[..., Any]], action: Any, resource: Any,
                 confidence: Optional[float]):
        signature = inspect.signature(fn)
        for parameter in signature.parameters.values():
            if parameter.kind is inspect.Parameter.VAR_POSITIONAL:
                raise TypeError(f"{fn.__name__}: a Warden tool's args are named (they are JSON): *{parameter.name} cannot be sent")
            if parameter.name in _RESERVED:
                raise TypeError(f"{fn.__name__}: the parameter {parameter.name!r} is the decorator's own keyword; rename it")
        match = _RATE.match(rate_limit) if rate_limit else None
        if rate_limit and not match:
            raise ValueError(f"rate_limit: use N/second, N/minute, N/hour or N/day, such as 10/minute (got {rate_limit!r})")
        self.warden, self.fn, self.signature, self.name = warden, fn, signature, name
        self.scope, self.rate_limit, self.audit = scope, rate_limit, audit
        self.requires_confirmation, self.reversible, self.undo = requires_confirmation, reversible, undo
        self.action, self.resource, self.confidence = action, resource, confidence
        self._globs = [_glob(s) for s in scope]
        self._limit = (int(match.group(1)), _PERIOD[match.group(2)]) if match else None
        self._calls: "deque[float]" = deque()
        self._lock = threading.Lock()

    def registry_body(self) -> Dict[str, Any]:
        """The PUT /api/v1/tools/:name body this declaration stands for."""
        return {"scopes": self.scope, "rateLimit": self.rate_limit, "requiresConfirmation": self.requires_confirmation,
                "reversible": bool(self.reversible)}

    def call(self, args: tuple, kwargs: Dict[str, Any], confidence: Optional[float], rationale: Optional[str], task_id: Optional[str]) -> Any:
        bound = self.signature.bind(*args, **kwargs)
        bound.apply_defaults()
        proposed: Dict[str, Any] = {}
        for key, value in bound.arguments.items():
            if self.signature.parameters[key].kind is inspect.Parameter.VAR_KEYWORD:
                proposed.update(value)
            else:
                proposed[key] = value
        confidence = confidence if confidence is not None else self.confidence
        if confidence is None:
            raise TypeError(f"{self.name}: say how confident the agent is: {self.fn.__name__}(..., confidence=0.9)")
        action = self._fill(self.action, proposed) if self.action else f"{self.name}({json.dumps(proposed, default=str)[1:-1]})"
        resource = self._fill(self.resource, proposed) if self.resource else None
        self._refuse_locally(action, resource)
        undo = self._undo_for(proposed)

        decision = self.warden.check(action, confidence, tool=self.name, resource=resource, args=proposed, rationale=rationale,
                                     task_id=task_id, reversible=self.reversible, undo=undo)
        if not decision.allowed:
            raise WardenDenied(decision)

        approved = decision.approved_args or {}
        started = time.monotonic()
        try:
            self.signature.bind(**approved)
        except TypeError as misfit:
            # An approver's edit the function cannot take: no lesson for memory, only the error.
            self._report(decision, "failed", error=f"the approved args do not fit {self.fn.__name__}: {misfit}", started=started)
            raise
        try:
            result = self.fn(**approved)
        except Exception as failure:
            message = str(failure) or type(failure).__name__
            self._report(decision, "failed", error=f"{type(failure).__name__}: {message}"[:8000], failure_reason=message[:4000], started=started)
            raise
        # The undo again, from the args that ran: an approver may have edited them, and the one
        # sent with the proposal would then undo what was proposed instead of what ran.
        self._report(decision, "succeeded", output=self._output(result) if self.audit else None, started=started,
                     undo=self._undo_for(approved))
        return result

    def _undo_for(self, args: Dict[str, Any]) -> Optional[Dict[str, Any]]:
        """The undo order for a call with ``args``: the undo tool with the same args, or what the
        undo function returns for them."""
        if self.undo is None:
            return None
        target = getattr(self.undo, "warden_tool", None)
        if target is not None:
            return {"tool": target.name, "args": args}
        undo_tool, undo_args = self.undo(**args)
        return {"tool": getattr(getattr(undo_tool, "warden_tool", None), "name", undo_tool), "args": undo_args}

    def _fill(self, template: Any, args: Dict[str, Any]) -> str:
        return template(**args) if callable(template) else template.format(**args)

    def _refuse_locally(self, action: str, resource: Optional[str]) -> None:
        """The declaration as a floor: out of scope, or over the rate limit in this process, is
        refused before Warden is asked (Warden refuses the same once the tool is registered)."""
        code = message = None
        if self._globs and (resource is None or not any(g.match(resource) for g in self._globs)):
            code, message = "resource_out_of_scope", f"{resource} is outside the tool {self.name}'s declared scope ({', '.join(self.scope)})"
        elif self._limit:
            count, period = self._limit
            with self._lock:
                now = time.monotonic()
                while self._calls and self._calls[0] <= now - period:
                    self._calls.popleft()
                if len(self._calls) >= count:
                    code, message = "rate_limited", f"{self.name} is limited to {self.rate_limit} by its declaration"
                else:
                    self._calls.append(now)
        if code:
            raise WardenDenied(Decision(id="", decision="deny", status="refused", reasons=[{"code": code, "message": f"{action}: {message}"}]))

    def _output(self, result: Any) -> Optional[Dict[str, Any]]:
        """The return value as the action's output: a dict as is, anything else under "value"."""
        if result is None:
            return None
        output = result if isinstance(result, dict) else {"value": result}
        try:
            json.dumps(output)
            return output
        except (TypeError, ValueError):
            return {"repr": repr(result)[:4000]}

    def _report(self, decision: Decision, status: str, *, started: float, **fields: Any) -> None:
        """Reports the outcome. A report that cannot be delivered (after the retries) is logged,
        not raised: the function has already run, and an exception here would invite running it
        again."""
        try:
            self.warden.report(decision.id, status, duration_ms=int((time.monotonic() - started) * 1000), **fields)
        except WardenError as error:
            log.error("warden: could not report %s of action %s (%s): %s", status, decision.id, self.name, error)


# --------------------------------------------------------------------------------------------
# Memory


class MemoryClient:
    """Shared memory: what one agent records, every agent in scope recalls (and Warden hands
    matching failures back inside every decision as well)."""

    def __init__(self, warden: Warden):
        self._warden = warden

    def record(self, kind: str, subject: str, body: str, *, tags: Optional[List[str]] = None, scope: Optional[str] = None,
               action_id: Optional[str] = None, task_id: Optional[str] = None) -> Dict[str, Any]:
        """Records a ``decision``, ``negative_knowledge`` or ``pattern``; answers ``{id, created,
        occurrences}`` (the same lesson again strengthens the first entry: created False)."""
        payload: Dict[str, Any] = {"kind": kind, "subject": subject, "body": body}
        for name, value in (("tags", tags), ("scope", scope), ("actionId", action_id), ("taskId", task_id)):
            if value is not None:
                payload[name] = value
        return self._warden.request("POST", "/api/v1/memory", payload)

    def record_negative_knowledge(self, subject: str, failure_reason: str, **options: Any) -> Dict[str, Any]:
        """Why something failed, so no agent repeats it (the seed's pattern 2)."""
        return self.record("negative_knowledge", subject, failure_reason, **options)

    def recall(self, q: str, *, kind: Optional[str] = None, limit: Optional[int] = None, agent: Optional[str] = None,
               tag: Optional[str] = None, since_days: Optional[int] = None) -> List[Memory]:
        """Memories like ``q``, best first: ``recall("traefik restart")`` finds ``traefik_restart``."""
        query = {"q": q, "kind": kind, "limit": limit, "agent": agent, "tag": tag, "sinceDays": since_days}
        results = self._warden.request("GET", "/api/v1/memory/recall", query=query)["results"]
        return [
            Memory(id=m["id"], kind=m["kind"], subject=m["subject"], body=m["body"], score=m["score"], agent=m.get("agent"),
                   tags=m.get("tags") or [], action_id=m.get("actionId"), task_id=m.get("taskId"),
                   occurrences=m.get("occurrences", 1), created_at=m["createdAt"])
            for m in results
        ]


# --------------------------------------------------------------------------------------------
# The kill switch


class ControlWatcher:
    """Holds GET /api/v1/control/stream open in a daemon thread, so the agent learns of a pause,
    suspend or kill within a fraction of a second.

    - ``state`` ("running", "paused", "suspended", "killed"), ``epoch`` and ``reason``: the
      agent's effective control state (the strictest of fleet, team and agent).
    - ``stopped``: a ``threading.Event`` set while suspended or killed, so running work can check
      it (or wait on it) and stop; cleared on resume.
    - Each new epoch is acknowledged (POST /api/v1/control/ack) after the state above is
      updated and the ``on_change`` callbacks have run: the console's "acknowledged M of N"
      then means the agent really applied it. ``acked_epoch`` is the last one Warden took.
    - A kill's rollback orders (newest first) run the undo handler registered for their tool,
      one at a time in a worker thread, and each outcome is reported to
      POST /api/v1/rollbacks/:id/result. A decorated tool is the handler for its own name.
    - A dropped connection is reopened with Last-Event-ID, so nothing is missed.
    """

    def __init__(self, warden: Warden):
        self._warden = warden
        self.state = "running"
        self.epoch = 0
        self.reason: Optional[str] = None
        self.stopped = threading.Event()
        self.error: Optional[WardenError] = None
        self._connected = threading.Event()
        self._closing = threading.Event()
        self._listeners: List[Callable[["ControlWatcher"], None]] = []
        self._undo: Dict[str, Callable[..., Any]] = {}
        self._rollbacks: "queue.Queue[Optional[Dict[str, Any]]]" = queue.Queue()
        self._seen_ids: "deque[str]" = deque(maxlen=1000)
        self.acked_epoch = 0
        self._last_event_id: Optional[str] = None
        self._retry_seconds = 2.0
        self._socket: Optional[socket.socket] = None
        self._threads: List[threading.Thread] = []
        self._changed = threading.Condition()

    def register_undo(self, tool: str, handler: Callable[..., Any]) -> None:
        """Runs ``handler(**args)`` for a rollback order whose undo names ``tool``."""
        self._undo[tool] = handler

    def on_change(self, callback: Callable[["ControlWatcher"], None]) -> None:
        """Calls ``callback(watcher)`` on every control event, before it is acknowledged."""
        self._listeners.append(callback)

    def start(self, timeout: float = 10.0) -> "ControlWatcher":
        """Connects and waits (up to ``timeout``) for the current state; idempotent."""
        if not self._threads:
            self._closing.clear()
            for target, name in ((self._run, "warden-control"), (self._run_rollbacks, "warden-rollbacks")):
                thread = threading.Thread(target=target, name=name, daemon=True)
                thread.start()
                self._threads.append(thread)
        deadline = time.monotonic() + timeout
        while not self._connected.wait(0.05):
            if time.monotonic() > deadline or not self._threads[0].is_alive():
                raise self.error or WardenError(None, "unreachable", f"no control state from {self._warden.url} in {timeout} s")
        return self

    def stop(self) -> None:
        """Closes the stream and ends both threads."""
        if not self._threads:
            return
        self._closing.set()
        sock = self._socket
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self._rollbacks.put(None)
        for thread in self._threads:
            thread.join(5)
        self._threads = []
        self._connected.clear()

    def wait_for(self, state: str, timeout: float = 10.0) -> bool:
        """Blocks until the control state is ``state``; False after ``timeout`` seconds."""
        with self._changed:
            return self._changed.wait_for(lambda: self.state == state, timeout)

    # --- the stream --------------------------------------------------------------------------

    def _run(self) -> None:
        while not self._closing.is_set():
            try:
                self._listen()
            except WardenError as error:
                self.error = error
                if error.status in (401, 403):
                    log.error("warden: the control stream was refused, not retrying: %s", error)
                    return
                log.warning("warden: control stream: %s", error)
            except (OSError, http.client.HTTPException, ValueError) as error:
                if not self._closing.is_set():
                    log.warning("warden: control stream dropped: %s", error)
            self._closing.wait(self._retry_seconds)

    def _listen(self) -> None:
        parts = urllib.parse.urlsplit(self._warden.url)
        kind = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
        # Warden sends a keep-alive comment every 15 s: a silent minute means the connection is dead.
        connection = kind(parts.netloc, timeout=60)
        headers = {"Authorization": f"Bearer {self._warden.key}", "Accept": "text/event-stream", "User-Agent": f"warden-python/{__version__}"}
        if self._last_event_id is not None:
            headers["Last-Event-ID"] = self._last_event_id
        try:
            connection.request("GET", parts.path.rstrip("/") + "/api/v1/control/stream", headers=headers)
            self._socket = connection.sock  # kept: stop() shuts it down to end a blocked read
            response = connection.getresponse()
            if response.status != 200:
                raise _api_error(response.status, response.read().decode("utf-8", "replace"))
            self.error = None
            event, data, event_id = "message", [], None
            while not self._closing.is_set():
                line = response.readline()
                if not line:
                    return
                text = line.decode("utf-8").rstrip("\r\n")
                if text == "":
                    if data:
                        self._dispatch(event, json.loads("\n".join(data)), event_id)
                    event, data, event_id = "message", [], None
                    continue
                name, _, value = text.partition(":")
                value = value[1:] if value.startswith(" ") else value
                if name == "event":
                    event = value
                elif name == "data":
                    data.append(value)
                elif name == "id":
                    event_id = value
                elif name == "retry" and value.isdigit():
                    self._retry_seconds = int(value) / 1000
        finally:
            self._socket = None
            connection.close()

    def _dispatch(self, event: str, data: Dict[str, Any], event_id: Optional[str]) -> None:
        """Each event once: an id seen before (a replay after a reconnect, or the same event
        delivered twice) is skipped. Ids come from one sequence but may arrive out of order
        (transactions commit out of order), so seen ids are remembered, not just the last."""
        if event_id is not None:
            if event_id in self._seen_ids:
                return
            self._seen_ids.append(event_id)
            if event_id.isdigit() and (self._last_event_id is None or int(event_id) > int(self._last_event_id)):
                self._last_event_id = event_id
        if event == "control":
            self._apply_control(data)
        elif event == "rollback":
            self._rollbacks.put(data)

    def _apply_control(self, data: Dict[str, Any]) -> None:
        with self._changed:
            self.state = data.get("state", self.state)
            self.reason = data.get("reason")
            self.epoch = max(self.epoch, int(data.get("epoch") or 0))
            if self.state in STOPPING_STATES:
                self.stopped.set()
            else:
                self.stopped.clear()
            self._changed.notify_all()
        self._connected.set()
        for callback in list(self._listeners):
            try:
                callback(self)
            except Exception:  # a listener's bug must not cost the agent its kill switch
                log.exception("warden: an on_change callback failed")
        if self.epoch > self.acked_epoch:
            try:
                self._warden.request("POST", "/api/v1/control/ack", {"epoch": self.epoch})
                self.acked_epoch = self.epoch
            except WardenError as error:
                log.warning("warden: could not acknowledge epoch %s: %s", self.epoch, error)

    # --- rollbacks ---------------------------------------------------------------------------

    def _run_rollbacks(self) -> None:
        while True:
            order = self._rollbacks.get()
            if order is None:
                return
            undo = order.get("undo") or {}
            handler = self._undo.get(undo.get("tool", ""))
            result: Dict[str, Any] = {"status": "succeeded"}
            if handler is None:
                result = {"status": "failed", "error": f"no undo handler for the tool {undo.get('tool')!r} in this agent"}
            else:
                try:
                    handler(**(undo.get("args") or {}))
                except Exception as failure:
                    result = {"status": "failed", "error": f"{type(failure).__name__}: {failure}"[:4000]}
            try:
                self._warden.request("POST", f"/api/v1/rollbacks/{order['rollbackId']}/result", result)
            except WardenError as error:
                if error.status != 409:  # 409: already reported (a replayed order)
                    log.error("warden: could not report rollback %s: %s", order["rollbackId"], error)

"""What the tests share: the running Warden they talk to, and what people do there.

The agent side goes through the client only. What people do (approve, reject, pause, kill)
is plain urllib with their personal tokens, as their scripts would do it, so a
bug in the client cannot hide behind itself. e2e/python-client.spec.ts provisions all of it and
runs this suite; to run it by hand, see clients/python/README.md.
"""

import json
import os
import sys
import time
import urllib.error
import urllib.request
import uuid

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from warden import Warden  # noqa: E402


def _env(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        raise RuntimeError(f"{name} is not set: these tests run against a running Warden (see clients/python/README.md)")
    return value


URL = _env("WARDEN_URL").rstrip("/")
ADMIN_TOKEN = _env("WARDEN_TEST_ADMIN_TOKEN")
APPROVER_TOKEN = _env("WARDEN_TEST_APPROVER_TOKEN")
OPERATOR_TOKEN = _env("WARDEN_TEST_OPERATOR_TOKEN")
# {"a" | "b" | "approvals" | "control": {"name", "key", "tool"}}: agents granted their tool.
AGENTS = json.loads(_env("WARDEN_TEST_AGENTS"))

YAML_FAILURE = (
    "docker restart traefik failed because config had invalid YAML. "
    "Root cause: missing closing bracket in middleware chain. "
    "Fix: always validate config before restart."
)


def agent(role: str, **options) -> Warden:
    """The client as the agent ``role`` of WARDEN_TEST_AGENTS uses it."""
    return Warden(url=URL, key=AGENTS[role]["key"], **options)


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def person(token: str, method: str, path: str, body=None):
    """A person's script calling the API: returns (status, JSON answer)."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(URL + path, data=data, method=method,
                                     headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            text = response.read().decode()
            return response.status, json.loads(text) if text else None
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read().decode() or "null")


def register(tool, **options) -> dict:
    """An admin publishes a decorated tool's declaration to Warden's registry (provisioning)."""
    return Warden(url=URL, key=ADMIN_TOKEN).register_tool(tool, **options)


def eventually(probe, timeout: float = 15.0, interval: float = 0.1):
    """Calls ``probe`` until it returns something truthy, and returns that; fails after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up after {timeout} s waiting for {getattr(probe, '__name__', 'a condition')}")
        time.sleep(interval)

"""The FHIR client every sandboxed run of the suite starts with (stdlib only).

This file is shipped into each run's workdir as ``_fhir_prelude.py`` and the
run's program is two lines: import it, then :func:`run_agent` the agent's
code. It gives that code, without any import:

* ``FHIR_BASE`` (``http://fhir.local/fhir``), the server's documented base URL;
* ``fhir_get(path, params=None, **params)`` -> the parsed JSON (a Bundle for a
  search, a resource for ``Type/id``); ``path`` may be ``"Observation"``,
  ``"Patient/abc"``, ``"Observation?code=..."`` or a full URL under FHIR_BASE;
* ``fhir_post(resource_type, body)`` -> the created resource (with its id);
* ``fhir_search_all(path, params=None, **params)`` -> every matching resource,
  following the Bundle's ``next`` links;
* ``FhirRequestError`` (``.status``, ``.message``), raised for 4xx/5xx answers;
* ``urllib.request.urlopen`` of ``http://fhir.local/...`` URLs, routed the same way.

Every request goes over the Unix socket named by ``$FHIR_SOCKET`` (the
episode's socket, mounted read-only into the sandbox); ``fhir.local`` is not
resolved through DNS, and no other host is reachable (the sandbox refuses
every non-Unix socket). :func:`run_agent` compiles the agent's code as
``<agent>`` and prints tracebacks from the agent's first frame, so line
numbers and frames look exactly as if the code had run alone.
"""

from __future__ import annotations

import http.client
import json
import linecache
import os
import socket
import sys
import traceback
import urllib.parse
import urllib.request
from typing import Any

__all__ = ("FHIR_BASE", "FhirRequestError", "fhir_get", "fhir_post", "fhir_search_all", "run_agent")

FHIR_BASE = os.environ.get("FHIR_BASE", "http://fhir.local/fhir").rstrip("/")
HOST = urllib.parse.urlsplit(FHIR_BASE).hostname or "fhir.local"
_PREFIX = urllib.parse.urlsplit(FHIR_BASE).path.rstrip("/")
_TIMEOUT_S = 30.0


def _socket_path() -> str:
    for path in (os.environ.get("FHIR_SOCKET", ""), os.environ.get("FHIR_SOCKET_FALLBACK", "")):
        if path and os.path.exists(path):
            return path
    return os.environ.get("FHIR_SOCKET", "/fhir/fhir.sock")


class FhirRequestError(Exception):
    """The server refused a request; ``message`` is its OperationOutcome diagnostics."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"HTTP {status}: {message}")
        self.status = status
        self.message = message


class UnixHTTPConnection(http.client.HTTPConnection):
    """An HTTP connection whose transport is the episode's Unix socket."""

    def __init__(
        self, host: str = HOST, port: int | None = None, timeout: Any = _TIMEOUT_S, **_: Any
    ) -> None:
        # urllib passes socket's "global default" sentinel object when no timeout is given
        seconds = timeout if isinstance(timeout, int | float) else _TIMEOUT_S
        super().__init__(host, port, timeout=seconds)

    def connect(self) -> None:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(self.timeout)
        sock.connect(_socket_path())
        self.sock = sock


class _UnixHandler(urllib.request.HTTPHandler):
    """Routes ``http://fhir.local`` over the socket; other hosts as usual (the
    sandbox refuses their sockets anyway)."""

    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        if req.host.split(":")[0] != HOST:
            return super().http_open(req)
        return self.do_open(UnixHTTPConnection, req)


urllib.request.install_opener(urllib.request.build_opener(_UnixHandler))


def _target(path: str, params: dict[str, Any]) -> str:
    if path.startswith(("http://", "https://")):
        parts = urllib.parse.urlsplit(path)
        if parts.hostname != HOST:
            raise ValueError(f"only {FHIR_BASE} is reachable from this sandbox, not {path!r}")
        path = parts.path + (f"?{parts.query}" if parts.query else "")
    else:
        path = path.lstrip("/")
        if _PREFIX and not ("/" + path).startswith(_PREFIX + "/"):
            path = f"{_PREFIX}/{path}"
        else:
            path = "/" + path
    clean = {k: v for k, v in params.items() if v is not None}
    if clean:
        path += ("&" if "?" in path else "?") + urllib.parse.urlencode(clean, doseq=True)
    return path


def _request(method: str, target: str, body: Any = None) -> Any:
    conn = UnixHTTPConnection()
    try:
        payload = None if body is None else json.dumps(body).encode()
        headers = {"Accept": "application/fhir+json"}
        if payload is not None:
            headers["Content-Type"] = "application/fhir+json"
        conn.request(method, target, body=payload, headers=headers)
        response = conn.getresponse()
        data = response.read()
    finally:
        conn.close()
    try:
        parsed = json.loads(data) if data else None
    except ValueError:
        parsed = None
    if response.status >= 400:
        message = data.decode(errors="replace")
        if isinstance(parsed, dict) and parsed.get("issue"):
            message = "; ".join(str(i.get("diagnostics", "")) for i in parsed["issue"])
        raise FhirRequestError(response.status, message)
    return parsed


def fhir_get(path: str, params: dict[str, Any] | None = None, **kwargs: Any) -> Any:
    """GET ``path`` (a search or a read) and return the parsed JSON."""
    return _request("GET", _target(path, {**(params or {}), **kwargs}))


def fhir_post(resource_type: str, body: dict[str, Any]) -> Any:
    """Create ``body`` as a new ``resource_type``; returns the stored resource."""
    return _request("POST", _target(resource_type.strip("/"), {}), body)


def fhir_search_all(path: str, params: dict[str, Any] | None = None, **kwargs: Any) -> list[Any]:
    """Every resource a search matches, page after page."""
    bundle = fhir_get(path, params, **kwargs)
    out: list[Any] = []
    while True:
        out.extend(entry["resource"] for entry in bundle.get("entry", ()))
        nxt = [link["url"] for link in bundle.get("link", ()) if link.get("relation") == "next"]
        if not nxt:
            return out
        bundle = fhir_get(nxt[0])


def run_agent(source: str) -> None:
    """Run the agent's ``source`` as ``__main__`` with the helpers above in scope."""
    main = sys.modules["__main__"].__dict__
    for name in __all__:
        if name != "run_agent":
            main[name] = globals()[name]
    linecache.cache["<agent>"] = (len(source), None, source.splitlines(True), "<agent>")
    try:
        code = compile(source, "<agent>", "exec", dont_inherit=True)
        exec(code, main)
    except SystemExit:
        raise
    except BaseException as exc:
        tb = exc.__traceback__.tb_next if exc.__traceback__ is not None else None
        traceback.print_exception(type(exc), exc, tb)
        sys.stderr.flush()
        raise SystemExit(1) from None

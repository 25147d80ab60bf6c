"""ASGI middleware: the access token, the request body limit and the security headers.

Pure ASGI (not BaseHTTPMiddleware) so a streamed batch answer is not buffered."""
from __future__ import annotations

import hmac
import json
from http.cookies import SimpleCookie
from urllib.parse import parse_qs

# no inline script, no foreign origin; inline SVG (the money pictures) needs no exception
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
       "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
HEADERS = [(b"content-security-policy", CSP.encode()), (b"x-content-type-options", b"nosniff"),
           (b"referrer-policy", b"no-referrer"), (b"x-frame-options", b"DENY")]
COOKIE = "medaid_token"
OPEN_PATHS = ("/healthz",)


async def _send_json(send, status: int, field: str, message: str, headers=()):
    body = json.dumps({"error": {"field": field, "message": message}}, ensure_ascii=False).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                            *HEADERS, *headers]})
    await send({"type": "http.response.body", "body": body})


class Guard:
    """Token check (header, cookie, or ?token= which then sets the cookie), body limit, headers."""

    def __init__(self, app, token: str | None, max_body: int):
        self.app, self.token, self.max_body = app, token, max_body

    def _presented(self, scope) -> tuple[str | None, bool]:
        headers = {k.decode().lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        auth = headers.get("authorization", "")
        if auth.lower().startswith("bearer "):
            return auth[7:].strip(), False
        if headers.get("x-medaid-token"):
            return headers["x-medaid-token"], False
        q = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("token")
        if q:
            return q[0], True
        cookie = SimpleCookie(headers.get("cookie", ""))
        return (cookie[COOKIE].value if COOKIE in cookie else None), False

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        set_cookie = False
        if self.token and scope["path"] not in OPEN_PATHS:
            given, from_query = self._presented(scope)
            if not given or not hmac.compare_digest(given.encode(), self.token.encode()):
                return await _send_json(send, 401, "token", "this workbench needs its access token "
                                        "(Authorization: Bearer …, or ?token=… once in the browser)")
            set_cookie = from_query
        length = next((v for k, v in scope.get("headers", []) if k == b"content-length"), None)
        if length is not None and length.isdigit() and int(length) > self.max_body:
            return await _send_json(send, 413, "body", f"request body larger than {self.max_body} bytes")
        received = 0
        too_big = False

        async def limited_receive():
            nonlocal received, too_big
            msg = await receive()
            if msg["type"] == "http.request":
                received += len(msg.get("body", b""))
                if received > self.max_body:
                    too_big = True
                    raise BodyTooLarge()
            return msg

        async def with_headers(msg):
            if msg["type"] == "http.response.start":
                extra = list(HEADERS)
                if set_cookie:
                    extra.append((b"set-cookie", f"{COOKIE}={self.token}; HttpOnly; SameSite=Strict; Path=/".encode()))
                msg = {**msg, "headers": [*msg.get("headers", []), *extra]}
            await send(msg)
        try:
            await self.app(scope, limited_receive, with_headers)
        except BodyTooLarge:
            await _send_json(send, 413, "body", f"request body larger than {self.max_body} bytes")


class BodyTooLarge(Exception):
    pass

"""A small OpenID Provider for the tests, served over HTTP on 127.0.0.1.

It implements what a relying party meets in the authorization code flow
(OpenID Connect Core 1.0 §3.1, Discovery 1.0 §4, RFC 7636 PKCE with S256):
discovery, an authorization endpoint that signs in a chosen person at once,
a token endpoint with client_secret_basic that checks the code, redirect URI
and PKCE verifier, and a JWK set. ID tokens are RS256 JWTs made with joserfc.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from joserfc import jwt
from joserfc.jwk import RSAKey


@dataclass
class Person:
    subject: str
    phone_number: str | None
    phone_verified: bool = True


@dataclass
class Provider:
    issuer: str
    client_id: str
    client_secret: str
    person: Person | None = None
    key: RSAKey = field(default_factory=lambda: RSAKey.generate_key(2048, parameters={"kid": "k1"}))
    codes: dict[str, dict[str, Any]] = field(default_factory=dict)
    # A test may make the provider sign with another issuer, to see the token refused.
    token_issuer: str | None = None

    @property
    def metadata(self) -> dict[str, Any]:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "jwks_uri": f"{self.issuer}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": ["openid", "phone"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic"],
            "code_challenge_methods_supported": ["S256"],
        }

    def authorize(self, query: dict[str, str]) -> str:
        """Sign the current person in; the redirect back to the relying party."""
        back = query.get("redirect_uri", "")
        state = query.get("state", "")
        if query.get("client_id") != self.client_id or query.get("response_type") != "code":
            return f"{back}?{urlencode({'error': 'unauthorized_client', 'state': state})}"
        if self.person is None:
            return f"{back}?{urlencode({'error': 'access_denied', 'state': state})}"
        code = secrets.token_urlsafe(16)
        self.codes[code] = {**query, "person": self.person, "issued": time.time()}
        return f"{back}?{urlencode({'code': code, 'state': state})}"

    def token(self, form: dict[str, str], authorization: str) -> tuple[int, dict[str, Any]]:
        expected = base64.b64encode(f"{self.client_id}:{self.client_secret}".encode()).decode()
        if authorization != f"Basic {expected}":
            return 401, {"error": "invalid_client"}
        grant = self.codes.pop(form.get("code", ""), None)
        if grant is None or form.get("redirect_uri") != grant["redirect_uri"]:
            return 400, {"error": "invalid_grant"}
        verifier = form.get("code_verifier", "")
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
        if challenge.decode().rstrip("=") != grant.get("code_challenge"):
            return 400, {"error": "invalid_grant", "error_description": "PKCE"}
        person: Person = grant["person"]
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.token_issuer or self.issuer,
            "sub": person.subject,
            "aud": self.client_id,
            "iat": now,
            "exp": now + 300,
            "nonce": grant.get("nonce"),
        }
        if person.phone_number is not None:
            claims["phone_number"] = person.phone_number
            claims["phone_number_verified"] = person.phone_verified
        id_token = jwt.encode({"alg": "RS256", "kid": "k1"}, claims, self.key)
        return 200, {
            "access_token": secrets.token_urlsafe(16),
            "token_type": "Bearer",
            "expires_in": 300,
            "id_token": id_token,
        }


@contextmanager
def running(client_id: str = "sunshine", client_secret: str = "s3cret") -> Iterator[Provider]:
    holder: dict[str, Provider] = {}

    class Handler(BaseHTTPRequestHandler):
        def _reply(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            provider = holder["provider"]
            parts = urlsplit(self.path)
            query = {k: v[0] for k, v in parse_qs(parts.query).items()}
            if parts.path == "/.well-known/openid-configuration":
                self._reply(200, provider.metadata)
            elif parts.path == "/jwks":
                self._reply(200, {"keys": [provider.key.as_dict(private=False)]})
            elif parts.path == "/authorize":
                self.send_response(302)
                self.send_header("Location", provider.authorize(query))
                self.end_headers()
            else:
                self._reply(404, {"error": "not_found"})

        def do_POST(self) -> None:
            provider = holder["provider"]
            length = int(self.headers.get("Content-Length") or 0)
            form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
            if urlsplit(self.path).path != "/token":
                self._reply(404, {"error": "not_found"})
                return
            status, body = provider.token(form, self.headers.get("Authorization", ""))
            self._reply(status, body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    holder["provider"] = Provider(
        issuer=f"http://127.0.0.1:{server.server_address[1]}",
        client_id=client_id,
        client_secret=client_secret,
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield holder["provider"]
    finally:
        server.shutdown()
        server.server_close()

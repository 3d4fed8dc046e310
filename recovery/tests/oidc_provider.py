"""A small OpenID Connect provider for the single sign-on tests: http.server in a thread on 127.0.0.1,
with the endpoints a real one has (discovery, authorize, token, userinfo, jwks). ID tokens are signed
RS256 with a key made for the run; codes are single use and checked against PKCE, the client secret
and the redirect URI, as a real provider would."""

import base64
import hashlib
import json
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

CLIENT_ID = "mend-test-client"
CLIENT_SECRET = "mend-test-secret"
KID = "test-key-1"


class Provider:
    def __init__(self, port: int):
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.url = f"http://127.0.0.1:{port}"
        self.claims: dict = {}  # who "signs in" at the provider next
        self.codes: dict[str, dict] = {}
        self.access: dict[str, dict] = {}
        self.id_token_changes: dict = {}  # what a test spoils in the next ID token
        self.server = ThreadingHTTPServer(("127.0.0.1", port), _handler(self))
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> "Provider":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def discovery(self) -> dict:
        return {
            "issuer": self.url,
            "authorization_endpoint": f"{self.url}/authorize",
            "token_endpoint": f"{self.url}/token",
            "userinfo_endpoint": f"{self.url}/userinfo",
            "jwks_uri": f"{self.url}/jwks",
            "id_token_signing_alg_values_supported": ["RS256"],
        }

    def jwks(self) -> dict:
        jwk = json.loads(RSAAlgorithm.to_jwk(self.key.public_key()))
        return {"keys": [{**jwk, "kid": KID, "alg": "RS256", "use": "sig"}]}

    def authorize(self, query: dict) -> str:
        if query.get("client_id") != CLIENT_ID:
            raise ValueError("unknown client")
        code = secrets.token_urlsafe(16)
        self.codes[code] = {**query, "claims": dict(self.claims)}
        return f"{query['redirect_uri']}?{urlencode({'code': code, 'state': query['state']})}"

    def token(self, form: dict) -> dict | None:
        grant = self.codes.pop(form.get("code", ""), None)  # single use
        if grant is None or form.get("client_secret") != CLIENT_SECRET:
            return None
        if form.get("redirect_uri") != grant["redirect_uri"] or form.get("client_id") != CLIENT_ID:
            return None
        digest = hashlib.sha256(form.get("code_verifier", "").encode()).digest()
        if base64.urlsafe_b64encode(digest).rstrip(b"=").decode() != grant.get("code_challenge"):
            return None
        now = int(time.time())
        claims = grant["claims"]
        id_claims = {
            "iss": self.url,
            "sub": claims.get("sub", claims.get("email", "")),
            "aud": CLIENT_ID,
            "iat": now,
            "exp": now + 300,
            "nonce": grant.get("nonce"),
            "email": claims.get("email"),
            **self.id_token_changes,
        }
        id_token = jwt.encode(id_claims, self.key, algorithm="RS256", headers={"kid": KID})
        access_token = secrets.token_urlsafe(16)
        self.access[access_token] = claims
        return {"access_token": access_token, "token_type": "Bearer", "expires_in": 300, "id_token": id_token}


def _handler(provider: Provider):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):  # quiet: the test's output is for the test
            pass

        def _json(self, status: int, body: dict) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):
            url = urlsplit(self.path)
            query = {k: v[0] for k, v in parse_qs(url.query).items()}
            if url.path == "/.well-known/openid-configuration":
                return self._json(200, provider.discovery())
            if url.path == "/jwks":
                return self._json(200, provider.jwks())
            if url.path == "/authorize":
                self.send_response(302)
                self.send_header("Location", provider.authorize(query))
                self.send_header("Content-Length", "0")
                return self.end_headers()
            if url.path == "/userinfo":
                token = self.headers.get("Authorization", "").removeprefix("Bearer ")
                claims = provider.access.get(token)
                return self._json(200, claims) if claims else self._json(401, {"error": "invalid_token"})
            return self._json(404, {"error": "not_found"})

        def do_POST(self):
            length = int(self.headers.get("Content-Length", "0"))
            form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
            if urlsplit(self.path).path == "/token":
                answer = provider.token(form)
                return self._json(200, answer) if answer else self._json(400, {"error": "invalid_grant"})
            return self._json(404, {"error": "not_found"})

    return Handler

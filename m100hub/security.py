"""Security headers, safe redirects and rate-limit helpers."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, Response, current_app, request

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self' ws: wss:; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)


def set_security_headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CSP)
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    headers.setdefault("Permissions-Policy", "camera=(self), microphone=(), geolocation=()")
    if current_app.config["SESSION_COOKIE_SECURE"]:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    return response


def is_safe_next(target: str | None) -> bool:
    """Only same-host, path-only redirects: no scheme, no host, no ``//`` or backslash tricks."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return False
    if "\\" in target or any(ord(ch) < 32 for ch in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def safe_next(target: str | None, default: str) -> str:
    return target if is_safe_next(target) else default


def allowed_origins(app: Flask) -> list[str]:
    configured = app.config.get("SOCKETIO_ALLOWED_ORIGINS") or ""
    origins = [o.strip().rstrip("/") for o in configured.split(",") if o.strip()]
    base = urlsplit(app.config["BASE_URL"])
    origins.append(f"{base.scheme}://{base.netloc}")
    return origins


def same_origin_request() -> bool:
    """True when a state-changing request's Origin (if sent) is this host or an allowed one."""
    origin = request.headers.get("Origin")
    if not origin:
        return True
    host_origin = f"{request.scheme}://{request.host}"
    return origin.rstrip("/") in {host_origin, *allowed_origins(current_app)}


def register(app: Flask) -> None:
    app.after_request(set_security_headers)

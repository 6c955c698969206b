"""Removes secret material from anything the harness keeps or prints: API key and
ephemeral secrets, session cookies and long hex strings (session secrets)."""
import re

_SECRET = re.compile(
    r"(standard_[0-9A-Fa-f]{8,}|ephemeral_[A-Za-z0-9._\-]+|dynamic_[A-Za-z0-9._\-]+"
    r"|a_session_console=[^;\s]+|\b[0-9A-Fa-f]{48,}\b)")


def redact(text):
    return _SECRET.sub("«secret»", text or "")

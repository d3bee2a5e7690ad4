"""Password hashing with a real KDF: PBKDF2-SHA256 (fast default) or bcrypt (keystone's).

Hashes carry their scheme and work factor, so changing the setting never breaks stored
passwords: ``$pbkdf2-sha256$<iterations>$<salt>$<hash>`` or bcrypt's own ``$2b$...`` form.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os

PBKDF2_DEFAULT_ITERATIONS = 100  # fast, for a test cloud; raise it (or use bcrypt) for anything real
BCRYPT_DEFAULT_ROUNDS = 12  # keystone's default


class PasswordHasher:
    def __init__(self, scheme: str = "pbkdf2_sha256", rounds: int = 0) -> None:
        if scheme not in ("pbkdf2_sha256", "bcrypt"):
            raise ValueError(f"unknown password hasher {scheme!r}")
        self.scheme = scheme
        self.rounds = rounds

    def hash(self, password: str) -> str:
        secret = password.encode("utf-8")
        if self.scheme == "bcrypt":
            import bcrypt

            return bcrypt.hashpw(secret[:72], bcrypt.gensalt(self.rounds or BCRYPT_DEFAULT_ROUNDS)).decode()
        iterations = self.rounds or PBKDF2_DEFAULT_ITERATIONS
        salt = os.urandom(16)
        digest = hashlib.pbkdf2_hmac("sha256", secret, salt, iterations)
        return f"$pbkdf2-sha256${iterations}${_b64(salt)}${_b64(digest)}"

    @staticmethod
    def verify(password: str, hashed: str | None) -> bool:
        if not hashed:
            return False
        secret = password.encode("utf-8")
        if hashed.startswith("$pbkdf2-sha256$"):
            try:
                _, _, iterations, salt, digest = hashed.split("$")
                expected = _unb64(digest)
                actual = hashlib.pbkdf2_hmac("sha256", secret, _unb64(salt), int(iterations))
            except ValueError:
                return False
            return hmac.compare_digest(actual, expected)
        if hashed.startswith("$2"):
            import bcrypt

            try:
                return bcrypt.checkpw(secret[:72], hashed.encode())
            except ValueError:
                return False
        return False


# A hash of a random password, verified against when a user does not exist, so that an
# unknown user costs as much as a wrong password.
def dummy_hash(hasher: PasswordHasher) -> str:
    return hasher.hash(base64.b64encode(os.urandom(12)).decode())


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text + "=" * (-len(text) % 4))

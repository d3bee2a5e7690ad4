"""Keypairs: per user, ssh or x509, generated or imported."""

from __future__ import annotations

import base64
import hashlib
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, func, insert, select

from twinstack.core.errors import BadRequest, Conflict, Forbidden, NotFound
from twinstack.services.compute import models as m

if TYPE_CHECKING:
    from twinstack.core.context import RequestContext
    from twinstack.services.compute.service import ComputeService


def fingerprint(public_key: str, key_type: str) -> str:
    if key_type == "x509":
        digest = hashlib.sha1(public_key.encode()).hexdigest()
        return ":".join(digest[i : i + 2] for i in range(0, len(digest), 2))
    from cryptography.hazmat.primitives import serialization

    parts = public_key.split()
    if len(parts) < 2:
        raise BadRequest("Keypair data is invalid: failed to generate fingerprint")
    try:
        raw = base64.b64decode(parts[1].encode(), validate=True)
        serialization.load_ssh_public_key(" ".join(parts[:2]).encode())  # a real key, as nova checks
    except (ValueError, TypeError):
        raise BadRequest("Keypair data is invalid: failed to generate fingerprint") from None
    digest = hashlib.md5(raw).hexdigest()  # noqa: S324 - ssh's fingerprint format
    return ":".join(digest[i : i + 2] for i in range(0, len(digest), 2))


def generate_x509(name: str) -> tuple[str, str]:
    """A private key and a self-signed certificate (nova's x509 keypair), PEM."""
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=3650))
        .sign(key, hashes.SHA256())
    )
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    ).decode()
    return private, cert.public_bytes(serialization.Encoding.PEM).decode()


def generate_keypair() -> tuple[str, str]:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ed25519

    key = ed25519.Ed25519PrivateKey.generate()
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.OpenSSH, serialization.NoEncryption()
    ).decode()
    public = (
        key.public_key()
        .public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
        .decode()
        + " Generated-by-Nova"
    )
    return private, public


class KeypairsMixin:
    def list_keypairs(self: ComputeService, user_id: str) -> list[dict[str, Any]]:
        k = m.keypairs
        with self.db.begin() as conn:
            return [
                dict(r)
                for r in conn.execute(select(k).where(k.c.user_id == user_id).order_by(k.c.id)).mappings()
            ]

    def get_keypair(self: ComputeService, user_id: str, name: str) -> dict[str, Any]:
        k = m.keypairs
        with self.db.begin() as conn:
            row = conn.execute(select(k).where(k.c.user_id == user_id, k.c.name == name)).mappings().first()
        if row is None:
            raise NotFound(f"Keypair {name} not found for user {user_id}")
        return dict(row)

    def create_keypair(
        self: ComputeService,
        ctx: RequestContext,
        user_id: str,
        name: str,
        public_key: str | None,
        key_type: str = "ssh",
    ) -> dict[str, Any]:
        private = None
        if public_key is None:
            if key_type == "x509":
                private, public_key = generate_x509(name)
            else:
                private, public_key = generate_keypair()
        fp = fingerprint(public_key, key_type)
        k = m.keypairs
        limit = self.quota_limit(ctx.project_id or "", "key_pairs")
        with self.db.begin() as conn:
            if conn.execute(select(k.c.id).where(k.c.user_id == user_id, k.c.name == name)).first():
                raise Conflict(f"Key pair '{name}' already exists.")
            count = conn.execute(select(func.count()).where(k.c.user_id == user_id)).scalar() or 0
            if limit >= 0 and count + 1 > limit:
                raise Forbidden("Quota exceeded, too many key pairs.")
            conn.execute(
                insert(k).values(
                    user_id=user_id,
                    name=name,
                    fingerprint=fp,
                    public_key=public_key,
                    type=key_type,
                    created_at=self.cloud.clock.now(),
                )
            )
        row = self.get_keypair(user_id, name)
        if private is not None:
            row["private_key"] = private
        return row

    def delete_keypair(self: ComputeService, user_id: str, name: str) -> None:
        self.get_keypair(user_id, name)
        with self.db.begin() as conn:
            conn.execute(delete(m.keypairs).where(m.keypairs.c.user_id == user_id, m.keypairs.c.name == name))

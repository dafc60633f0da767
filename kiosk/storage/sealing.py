"""One-way encryption to a public key: X25519 key agreement, HKDF-SHA256, AES-256-GCM.

A sealed blob is ``ephemeral public key (32) || nonce (12) || ciphertext+tag``.
Anyone with the recipient's public key can seal; only the private key opens. The
``context`` bytes are bound as associated data, so a blob moved to another row,
column or purpose does not open.
"""

from __future__ import annotations

import hashlib
import secrets

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

KEY_BYTES = 32
NONCE_BYTES = 12
TAG_BYTES = 16
SEALED_OVERHEAD = KEY_BYTES + NONCE_BYTES + TAG_BYTES
_INFO = b"ward-kiosk/seal/v2"


class SealBroken(ValueError):
    """A sealed blob does not open: another key, another context, or altered bytes."""


def raw_public(public: X25519PublicKey) -> bytes:
    return public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def raw_private(private: X25519PrivateKey) -> bytes:
    return private.private_bytes(
        serialization.Encoding.Raw,
        serialization.PrivateFormat.Raw,
        serialization.NoEncryption(),
    )


def fingerprint(public: X25519PublicKey) -> str:
    """A short, readable id of a public key, e.g. ``"3F2A-91C0-77DE-0B15"``."""
    digest = hashlib.sha256(b"ward-kiosk/key/v2\x00" + raw_public(public)).hexdigest().upper()
    return "-".join(digest[i : i + 4] for i in range(0, 16, 4))


def seal(recipient: X25519PublicKey, plaintext: bytes, context: bytes) -> bytes:
    """Encrypt ``plaintext`` so that only ``recipient``'s private key opens it."""
    ephemeral = X25519PrivateKey.generate()
    ephemeral_public = raw_public(ephemeral.public_key())
    key = _derive(ephemeral.exchange(recipient), ephemeral_public, raw_public(recipient))
    nonce = secrets.token_bytes(NONCE_BYTES)
    return ephemeral_public + nonce + AESGCM(key).encrypt(nonce, plaintext, context)


def unseal(private: X25519PrivateKey, sealed: bytes, context: bytes) -> bytes:
    """The plaintext of ``sealed``; raises SealBroken if it does not verify."""
    if len(sealed) < SEALED_OVERHEAD:
        raise SealBroken("too short to be a sealed blob")
    ephemeral_public = sealed[:KEY_BYTES]
    nonce = sealed[KEY_BYTES : KEY_BYTES + NONCE_BYTES]
    try:
        peer = X25519PublicKey.from_public_bytes(ephemeral_public)
        shared = private.exchange(peer)
    except ValueError as err:  # an all-zero shared secret: a crafted ephemeral key
        raise SealBroken("the ephemeral key is invalid") from err
    key = _derive(shared, ephemeral_public, raw_public(private.public_key()))
    try:
        return AESGCM(key).decrypt(nonce, sealed[KEY_BYTES + NONCE_BYTES :], context)
    except InvalidTag:
        raise SealBroken("altered, moved, or sealed to another key") from None


def _derive(shared: bytes, ephemeral_public: bytes, recipient_public: bytes) -> bytes:
    # Both public keys in the salt bind the derived key to this exact exchange.
    hkdf = HKDF(
        algorithm=hashes.SHA256(),
        length=KEY_BYTES,
        salt=ephemeral_public + recipient_public,
        info=_INFO,
    )
    return hkdf.derive(shared)

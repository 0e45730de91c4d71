"""Protection of personal data at rest: encryption, blind indexes, masking.

Personal identifiers (resident ID numbers, phone numbers) are stored three ways, never in clear:

- ``encrypt`` — AES-256-GCM with a random nonce; the *context* (e.g. ``"person.id_number"``) is
  bound as associated data, so a ciphertext copied into another column does not decrypt;
- ``blind_index`` — keyed HMAC-SHA256 of the normalised value, for exact-match lookup (swipe an ID
  card, find the person) without decrypting anything;
- ``mask_*`` — the form shown on screens (``440103********1234``, ``138****5678``).

Keys: ``DATA_ENCRYPTION_KEYS`` (comma-separated url-safe base64 32-byte keys; the first encrypts,
all decrypt, which is how keys are rotated) and ``BLIND_INDEX_KEY``. The embedded default
generates both once into ``var/keys.json`` (mode 600); production must set them (settings refuse
to start with DEBUG=0 otherwise). Decrypting is for services that audit the read.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import unicodedata
from functools import lru_cache
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

VERSION = "v1"


class DecryptionFailed(Exception):
    """The ciphertext does not decrypt with any known key in this context."""


def _b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def generate_key() -> str:
    return _b64encode(secrets.token_bytes(32))


def _embedded_keys(path: Path) -> dict[str, str]:
    if path.exists():
        return json.loads(path.read_text())
    path.parent.mkdir(parents=True, exist_ok=True)
    keys = {"data_keys": generate_key(), "index_key": generate_key()}
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(keys, handle)
    return keys


@lru_cache(maxsize=1)
def _keys() -> tuple[list[tuple[str, bytes]], bytes]:
    data_env = getattr(settings, "DATA_ENCRYPTION_KEYS", "") or ""
    index_env = getattr(settings, "BLIND_INDEX_KEY", "") or ""
    if not data_env or not index_env:
        embedded = _embedded_keys(Path(settings.VAR_DIR) / "keys.json")
        data_env = data_env or embedded["data_keys"]
        index_env = index_env or embedded["index_key"]
    data_keys = []
    for text in data_env.split(","):
        raw = _b64decode(text.strip())
        if len(raw) != 32:
            raise ValueError("each DATA_ENCRYPTION_KEYS entry must be 32 bytes (url-safe base64)")
        key_id = hashlib.sha256(raw).hexdigest()[:8]
        data_keys.append((key_id, raw))
    index_key = _b64decode(index_env.strip())
    if len(index_key) != 32:
        raise ValueError("BLIND_INDEX_KEY must be 32 bytes (url-safe base64)")
    return data_keys, index_key


def configured_key_ids() -> list[str]:
    """The ids of the configured data keys (the first encrypts), never the keys."""
    return [key_id for key_id, _key in _keys()[0]]


def reset_key_cache() -> None:
    _keys.cache_clear()


def encrypt(plaintext: str, *, context: str) -> str:
    key_id, key = _keys()[0][0]
    nonce = secrets.token_bytes(12)
    sealed = AESGCM(key).encrypt(nonce, plaintext.encode(), context.encode())
    return f"{VERSION}.{key_id}.{_b64encode(nonce + sealed)}"


def decrypt(token: str, *, context: str) -> str:
    try:
        version, key_id, body = token.split(".", 2)
    except ValueError as exc:
        raise DecryptionFailed("not an encrypted value") from exc
    if version != VERSION:
        raise DecryptionFailed(f"unknown format {version}")
    try:
        raw = _b64decode(body)
    except ValueError as exc:  # binascii.Error: not base64 at all
        raise DecryptionFailed("not an encrypted value") from exc
    for candidate_id, key in _keys()[0]:
        if candidate_id != key_id:
            continue
        try:
            return AESGCM(key).decrypt(raw[:12], raw[12:], context.encode()).decode()
        except Exception as exc:  # InvalidTag: wrong context or tampered
            raise DecryptionFailed("the value does not decrypt in this context") from exc
    raise DecryptionFailed("encrypted with a key that is no longer configured")


# Files (a scanned paper): a binary header, the key id, the nonce, then the sealed bytes.
BLOB_MAGIC = b"OWB1"


def encrypt_bytes(data: bytes, *, context: str) -> bytes:
    """AES-256-GCM of a file's bytes with the first data key; ``context`` (e.g. the file's
    storage name) is bound as associated data, so a blob moved under another name does not
    decrypt."""
    key_id, key = _keys()[0][0]
    nonce = secrets.token_bytes(12)
    sealed = AESGCM(key).encrypt(nonce, data, context.encode())
    return BLOB_MAGIC + key_id.encode() + nonce + sealed


def decrypt_bytes(blob: bytes, *, context: str) -> bytes:
    """The bytes sealed by ``encrypt_bytes`` under any configured data key (rotation)."""
    if not blob.startswith(BLOB_MAGIC) or len(blob) < len(BLOB_MAGIC) + 8 + 12 + 16:
        raise DecryptionFailed("not an encrypted file")
    start = len(BLOB_MAGIC)
    key_id = blob[start : start + 8].decode("ascii", "replace")
    nonce = blob[start + 8 : start + 20]
    for candidate_id, key in _keys()[0]:
        if candidate_id != key_id:
            continue
        try:
            return AESGCM(key).decrypt(nonce, blob[start + 20 :], context.encode())
        except Exception as exc:  # InvalidTag: wrong context or tampered
            raise DecryptionFailed("the file does not decrypt in this context") from exc
    raise DecryptionFailed("encrypted with a key that is no longer configured")


def normalise_identifier(value: str) -> str:
    """Full-width to half-width, no spaces or hyphens, upper case (ID numbers end in X)."""
    text = unicodedata.normalize("NFKC", value or "")
    return "".join(ch for ch in text if ch.isalnum()).upper()


def blind_index(value: str, *, context: str) -> str:
    """A stable keyed digest of the normalised value, for lookup by exact match."""
    message = f"{context}\x00{normalise_identifier(value)}".encode()
    return hmac.new(_keys()[1], message, hashlib.sha256).hexdigest()


def mask_id_number(value: str) -> str:
    """Show the region (first 6) and last 4 characters: 440103********123X."""
    text = normalise_identifier(value)
    if len(text) <= 10:
        return "*" * len(text)
    return text[:6] + "*" * (len(text) - 10) + text[-4:]


def mask_phone(value: str) -> str:
    """Show the first 3 and last 4 digits: 138****5678."""
    text = normalise_identifier(value)
    if len(text) <= 7:
        return "*" * len(text)
    return text[:3] + "*" * (len(text) - 7) + text[-4:]

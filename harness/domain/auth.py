"""Connector credentials, as UCS's `ConnectorAuthType`: every key is a `Secret`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import ClassVar

from harness.domain.errors import InvalidDataError, MissingRequiredFieldError
from harness.domain.secret import Secret


@dataclass(frozen=True)
class ConnectorAuthType:
    """Base of the auth variants; `auth_type` is UCS's name for the variant."""

    auth_type: ClassVar[str] = ""

    @classmethod
    def field_names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in fields(cls))

    @classmethod
    def from_values(cls, values: Mapping[str, object], *, source: str = "credentials") -> ConnectorAuthType:
        """Build from plain values (env vars, creds.json); a missing key is named, never shown."""
        kwargs: dict[str, Secret[str]] = {}
        for name in cls.field_names():
            value = values.get(name)
            if value is None or value == "":
                raise MissingRequiredFieldError(name, hint=f"set it in {source}")
            if isinstance(value, Secret):
                value = value.expose()
            if not isinstance(value, str):
                raise InvalidDataError(f"{source}: {name} must be a string", field=name)
            kwargs[name] = Secret(value)
        return cls(**kwargs)

    def secret_values(self) -> list[str]:
        """Every credential value, for leak scanning (never for display)."""
        values = []
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, Secret) and isinstance(value.expose(), str) and value.expose():
                values.append(value.expose())
        return values


@dataclass(frozen=True)
class NoKey(ConnectorAuthType):
    auth_type: ClassVar[str] = "NoKey"


@dataclass(frozen=True)
class HeaderKey(ConnectorAuthType):
    auth_type: ClassVar[str] = "HeaderKey"
    api_key: Secret[str]


@dataclass(frozen=True)
class BodyKey(ConnectorAuthType):
    auth_type: ClassVar[str] = "BodyKey"
    api_key: Secret[str]
    key1: Secret[str]


@dataclass(frozen=True)
class SignatureKey(ConnectorAuthType):
    auth_type: ClassVar[str] = "SignatureKey"
    api_key: Secret[str]
    key1: Secret[str]
    api_secret: Secret[str]


@dataclass(frozen=True)
class MultiAuthKey(ConnectorAuthType):
    auth_type: ClassVar[str] = "MultiAuthKey"
    api_key: Secret[str]
    key1: Secret[str]
    api_secret: Secret[str]
    key2: Secret[str]


AUTH_TYPES: dict[str, type[ConnectorAuthType]] = {
    cls.auth_type: cls for cls in (NoKey, HeaderKey, BodyKey, SignatureKey, MultiAuthKey)
}

"""`Secret[T]` and `Maskable`: values that never show themselves by accident.

A `Secret` prints as `***` in `repr`, `str`, f-strings, logging and pydantic dumps, refuses
`json.dumps` and pickling, and gives its value only through `expose()`. Request bodies keep
`Secret` leaves until the very last step: the transport encodes with `expose_secrets=True`,
everything else (logs, probes, reports, cassettes) encodes the masked form.
"""

from __future__ import annotations

import hmac
import re
from typing import Any, Final, Generic, TypeVar

from pydantic import GetCoreSchemaHandler
from pydantic_core import core_schema

T = TypeVar("T")

MASK: Final = "***"
# Authentication schemes of the IANA HTTP Authentication Scheme registry (and the common `Token`):
# the scheme word says how a credential is sent, not what it is, so a masked header may keep it.
AUTH_SCHEMES: Final = frozenset(
    s.lower()
    for s in ("Basic", "Bearer", "Digest", "HOBA", "Mutual", "Negotiate", "OAuth", "SCRAM-SHA-1",
              "SCRAM-SHA-256", "vapid", "Token", "AWS4-HMAC-SHA256")
)  # fmt: skip
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9-]*)[ \t]+\S")


def masked_with_scheme(value: str) -> str:
    """The mask, after the value's auth scheme word when it has a well-known one (`Bearer ***`)."""
    match = _SCHEME.match(value)
    if match is not None and match.group(1).lower() in AUTH_SCHEMES:
        return f"{match.group(1)} {MASK}"
    return MASK


class Secret(Generic[T]):
    """A value (card number, CVC, API key, token...) that is masked wherever it is shown."""

    __slots__ = ("_secret_value",)
    _secret_value: T

    def __init__(self, value: T) -> None:
        if isinstance(value, Secret):
            value = value.expose()
        object.__setattr__(self, "_secret_value", value)

    def expose(self) -> T:
        """The real value; call it only where the value must leave the process (the transport)."""
        return self._secret_value

    def map(self, fn: Any) -> Secret[Any]:
        """A new Secret holding `fn(value)`, for formatting without exposing."""
        return Secret(fn(self._secret_value))

    def __repr__(self) -> str:
        return f"Secret({MASK!r})"

    def __str__(self) -> str:
        return MASK

    def __format__(self, spec: str) -> str:
        return format(MASK, spec)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Secret):
            return NotImplemented
        mine, theirs = self._secret_value, other._secret_value
        if isinstance(mine, str) and isinstance(theirs, str):
            return hmac.compare_digest(mine.encode(), theirs.encode())
        return bool(mine == theirs)

    def __hash__(self) -> int:
        return hash((Secret, self._secret_value))

    def __bool__(self) -> bool:
        return bool(self._secret_value)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("Secret is immutable")

    def __copy__(self) -> Secret[T]:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> Secret[T]:
        return self

    def __reduce__(self) -> Any:
        raise TypeError("a Secret cannot be pickled; pass the masked form or keep it in memory")

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        def validate(value: Any) -> Secret[Any]:
            return value if isinstance(value, Secret) else Secret(value)

        def serialize(value: Secret[Any], info: core_schema.SerializationInfo) -> Any:
            # `context={"keep_secrets": True}` keeps the Secret object so that an encoder can choose
            # to expose or mask it; every other dump is masked.
            context = info.context
            if isinstance(context, dict) and context.get("keep_secrets"):
                return value
            return MASK

        return core_schema.no_info_plain_validator_function(
            validate,
            serialization=core_schema.plain_serializer_function_ser_schema(serialize, info_arg=True),
            json_schema_input_schema=core_schema.any_schema(),
        )


class Maskable:
    """A header value that is either shown (`normal`) or masked (`masked`) in logs and reports."""

    __slots__ = ("_is_masked", "_value")
    _value: str
    _is_masked: bool

    def __init__(self, value: str, *, masked: bool) -> None:
        if not isinstance(value, str):
            raise TypeError("a header value is a string")
        object.__setattr__(self, "_value", value)
        object.__setattr__(self, "_is_masked", masked)

    @classmethod
    def masked(cls, value: str) -> Maskable:
        return cls(value, masked=True)

    @classmethod
    def normal(cls, value: str) -> Maskable:
        return cls(value, masked=False)

    @property
    def is_masked(self) -> bool:
        return self._is_masked

    def expose(self) -> str:
        return self._value

    def shown(self) -> str:
        """The value as logs and reports may show it."""
        return MASK if self._is_masked else self._value

    def shown_with_scheme(self) -> str:
        """As `shown`, keeping a masked value's auth scheme word (`Bearer ***`, `Basic ***`)."""
        return masked_with_scheme(self._value) if self._is_masked else self._value

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("Maskable is immutable")

    def __repr__(self) -> str:
        return f"Maskable.masked({MASK!r})" if self._is_masked else f"Maskable.normal({self._value!r})"

    def __str__(self) -> str:
        return self.shown()

    def __format__(self, spec: str) -> str:
        return format(self.shown(), spec)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Maskable):
            return NotImplemented
        return self._is_masked == other._is_masked and hmac.compare_digest(
            self._value.encode(), other._value.encode()
        )

    def __hash__(self) -> int:
        return hash((Maskable, self._value, self._is_masked))

    def __reduce__(self) -> Any:
        if self._is_masked:
            raise TypeError("a masked header cannot be pickled")
        return (Maskable.normal, (self._value,))

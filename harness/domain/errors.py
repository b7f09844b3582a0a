"""Typed errors of the domain and of connectors.

Messages name fields, files, connectors and flows, never values that could be secrets: a
`ConnectorError` may end up in a report, so it is built from names, not from data.
"""

from __future__ import annotations


class HarnessError(Exception):
    """Something the harness cannot work with: bad input, bad config, broken cassette.

    Always rendered as one line naming the file and what to do; the CLI exits with 2.
    """

    def __init__(self, message: str, *, path: str | None = None, hint: str | None = None) -> None:
        self.message = message
        self.path = path
        self.hint = hint
        super().__init__(self.one_line())

    def one_line(self) -> str:
        text = f"{self.path}: {self.message}" if self.path else self.message
        if self.hint:
            text = f"{text} ({self.hint})"
        return " ".join(text.split())


class ConfigError(HarnessError):
    """A config file is missing, malformed, or lacks a key."""


class ConnectorError(Exception):
    """Raised by a connector (or by the harness on its behalf) while handling one flow."""

    kind = "connector_error"

    def __init__(
        self,
        message: str,
        *,
        connector: str | None = None,
        flow: str | None = None,
        field: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.message = message
        self.connector = connector
        self.flow = flow
        self.field = field
        self.hint = hint
        super().__init__(message)

    def with_context(self, *, connector: str | None = None, flow: str | None = None) -> ConnectorError:
        self.connector = self.connector or connector
        self.flow = self.flow or flow
        return self

    def __str__(self) -> str:
        where = "/".join(part for part in (self.connector, self.flow) if part)
        text = f"[{where}] {self.message}" if where else self.message
        if self.field and self.field not in self.message:
            text = f"{text} (field {self.field})"
        if self.hint:
            text = f"{text}; {self.hint}"
        return text


class NotSupportedError(ConnectorError):
    """The connector does not implement this flow or this payment method."""

    kind = "not_supported"


class NotImplementedFlowError(NotSupportedError):
    """A scaffolded flow that its author has not written yet."""

    kind = "not_implemented"


class MissingRequiredFieldError(ConnectorError):
    kind = "missing_required_field"

    def __init__(
        self, field: str, *, connector: str | None = None, flow: str | None = None, hint: str | None = None
    ) -> None:
        super().__init__(
            f"missing required field {field}", connector=connector, flow=flow, field=field, hint=hint
        )


class InvalidDataError(ConnectorError, ValueError):
    """A value that the domain or the provider cannot accept (bad amount, bad currency...)."""

    kind = "invalid_data"


class AmountNotRepresentableError(InvalidDataError):
    """An amount the provider cannot receive exactly (exponent, multiple, min/max)."""

    kind = "amount_not_representable"


class ResponseDeserializationError(ConnectorError):
    """The provider's response does not have the shape the connector declared."""

    kind = "response_deserialization_failed"


class ResponseHandlingError(ConnectorError):
    """The response parsed but its content cannot be mapped (for example an impossible status)."""

    kind = "response_handling_failed"


class TransformTypeError(ConnectorError):
    """A transform returned another type than its flow declares (request model, response data)."""

    kind = "transform_type_mismatch"


class IntegrityCheckError(ConnectorError):
    """Amount or currency in the provider's response differs from the request's."""

    kind = "integrity_check_failed"

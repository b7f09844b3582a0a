"""The bases of every connector's wire models, so that each provider's bodies are read the same way.

A request model refuses a field it does not declare (a typo would otherwise vanish from the body);
a response model keeps what the provider adds, since providers add fields without a new version.
Both accept the Python field name beside the wire alias. The `Camel` variants are for providers
whose JSON names are camelCase (Adyen, Authorize.net).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel


class WireRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class CamelWireRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True, alias_generator=to_camel)


class WireResponse(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)


class CamelWireResponse(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True, alias_generator=to_camel)

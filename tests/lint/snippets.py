"""Connector sources for the rule tests: a clean baseline connector and, per rule, a violating
variant and a clean one.

The baseline is a small but complete V2 connector (ConnectorV2, flow_table(FlowSpec(...)),
converter with a sourced currency table, Secret card fields, status tables through
status_from_table, reference from the router data). Variants change one thing in it; loose
snippets stand alone in transformers.py. Key-looking literals are assembled at run time so that
no secret scanner mistakes this file for a leak.
"""

from __future__ import annotations

from dataclasses import dataclass

Files = dict[str, str]

CONNECTOR = '''\
"""Demo: a small connector the lint tests mutate."""

from __future__ import annotations

from typing import ClassVar

from connectors.demo import transformers as t
from harness.domain import ConnectorAuthType, ErrorResponse, Flow, HeaderKey, Maskable
from harness.integration import AuthSpec, ConnectorV2, ContentType, FlowSpec, Method, flow_table


class Demo(ConnectorV2):
    id = "demo"
    auth = AuthSpec(HeaderKey, env={"api_key": "DEMO_API_KEY"}, description="secret key sk_test_...")
    amount_converter = t.AMOUNTS
    flows: ClassVar = flow_table(
        FlowSpec(
            Flow.AUTHORIZE,
            Method.POST,
            "v1/payments",
            request_model=t.PayRequest,
            build_request=t.pay_request,
            content_type=ContentType.JSON,
            response_model=t.PayResponse,
            handle_response=t.pay_response,
            amount_fields=("amount.value",),
            currency_field="amount.currency",
            reference_field="merchantReference",
            status_field="status",
        ),
        FlowSpec(
            Flow.PSYNC,
            Method.GET,
            lambda rd: f"v1/payments/{rd.request.connector_transaction_id}",
            response_model=t.PayResponse,
            handle_response=t.pay_response,
            status_field="status",
        ),
        FlowSpec(
            Flow.REFUND,
            Method.POST,
            "v1/refunds",
            request_model=t.RefundRequest,
            build_request=t.refund_request,
            content_type=ContentType.JSON,
            response_model=t.RefundResponse,
            handle_response=t.refund_response,
            amount_fields=("amount",),
            reference_field="reference",
            status_field="status",
        ),
    )

    def auth_headers(self, auth: ConnectorAuthType) -> list[tuple[str, Maskable]]:
        header = Maskable.masked(f"Bearer {auth.api_key.expose()}")  # type: ignore[attr-defined]  # HeaderKey
        return [("Authorization", header), ("Demo-Version", Maskable.normal("2024-01-01"))]

    def parse_error(self, response, ctx) -> ErrorResponse:
        return t.error_response(response, ctx)
'''

TRANSFORMERS = '''\
"""Demo wire models and transforms."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from harness.domain import (
    AttemptStatus,
    Currency,
    CurrencyRule,
    ErrorResponse,
    MinorUnitConverter,
    PaymentsResponseData,
    RefundsResponseData,
    RefundStatus,
    ResponseHandlingError,
    Secret,
    table_for,
)
from harness.integration import status_from_table

CURRENCIES = table_for(
    ([Currency.ISK], CurrencyRule(exponent=2, multiple_of=100, note="two decimals, whole kronur")),
    source="https://example.com/docs/currencies",
)
AMOUNTS = MinorUnitConverter(CURRENCIES)


class Amount(BaseModel):
    value: int
    currency: str


class Card(BaseModel):
    model_config = ConfigDict(extra="forbid")

    number: Secret[str]
    expiry_month: Secret[str]
    expiry_year: Secret[str]
    cvc: Secret[str]
    holder_name: Secret[str] | None = None


class PayRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    amount: Amount
    merchant_reference: str = Field(alias="merchantReference")
    card: Card
    shopper_email: Secret[str] | None = None


class PayResponse(BaseModel):
    model_config = ConfigDict(extra="allow")

    id: str
    status: str
    amount: Amount | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)


class RefundRequest(BaseModel):
    amount: int
    reference: str


class RefundResponse(BaseModel):
    id: str
    status: str
    amount: int | None = None
    currency: str | None = None


STATUS = {"authorised": AttemptStatus.AUTHORIZED, "captured": AttemptStatus.CHARGED}
REFUND_STATUS = {"done": RefundStatus.SUCCESS, "failed": RefundStatus.FAILURE}


def currency_of(code: str) -> Currency:
    return Currency.parse(code, field="currency")


def pay_request(rd, ctx) -> PayRequest:
    request = rd.request
    card = request.payment_method_data
    return PayRequest(
        amount=Amount(value=ctx.amount(request.amount, request.currency), currency=request.currency.value),
        merchant_reference=rd.resource_common_data.connector_request_reference_id,
        card=Card(
            number=card.card_number,
            expiry_month=card.card_exp_month,
            expiry_year=card.card_exp_year,
            cvc=card.card_cvc,
            holder_name=card.card_holder_name,
        ),
        shopper_email=request.email,
    )


def pay_response(model: PayResponse, rd, ctx) -> PaymentsResponseData:
    amount = currency = None
    if model.amount is not None:
        currency = currency_of(model.amount.currency)
        amount = ctx.amount_back(model.amount.value, currency)
    return PaymentsResponseData(
        status=status_from_table(model.status, STATUS, unknown=AttemptStatus.PENDING),
        connector_transaction_id=model.id,
        connector_response_reference_id=model.metadata.get("reference"),
        amount=amount,
        currency=currency,
        raw_status=model.status,
        status_code=ctx.status_code,
    )


def refund_request(rd, ctx) -> RefundRequest:
    request = rd.request
    amount = request.refund_amount  # the base has refused a refund above the captured amount
    return RefundRequest(
        amount=ctx.amount(amount, request.currency, field="refund_amount"),
        reference=rd.resource_common_data.connector_request_reference_id,
    )


def refund_response(model: RefundResponse, rd, ctx) -> RefundsResponseData:
    if model.id == "":
        raise ResponseHandlingError("refund without id", field="id")
    return RefundsResponseData(
        connector_refund_id=model.id,
        refund_status=status_from_table(model.status, REFUND_STATUS, unknown=RefundStatus.PENDING),
        raw_status=model.status,
        status_code=ctx.status_code,
    )


def error_response(response, ctx) -> ErrorResponse:
    try:
        body = response.decoded()
    except ValueError:
        body = {}
    error = body.get("error") or {}
    return ErrorResponse(
        code=str(error.get("code") or f"HTTP_{response.status_code}"),
        message=str(error.get("message") or "error"),
        status_code=response.status_code,
    )
'''

BASELINE: Files = {"connector.py": CONNECTOR, "transformers.py": TRANSFORMERS}


def variant(old: str, new: str, file: str = "transformers.py", *more: tuple[str, str]) -> Files:
    """The baseline with `old` replaced by `new` in `file` (and further (old, new) pairs)."""
    files = dict(BASELINE)
    for before, after in ((old, new), *more):
        if before not in files[file]:
            raise AssertionError(f"{before!r} is not in the baseline {file}")
        files[file] = files[file].replace(before, after, 1)
    return files


def loose(code: str) -> Files:
    return {"transformers.py": code}


@dataclass(frozen=True)
class Case:
    rule: str
    bad: Files
    good: Files
    name: str = ""

    @property
    def id(self) -> str:
        return f"{self.rule}-{self.name}" if self.name else self.rule


STRIPE_STYLE_KEY = "sk_" + "live_" + "51Hx" + "Q2eZvKYlo2C" + "9aXb8Rt3Lm0Pq"
ADYEN_STYLE_KEY = "AQE" + "yhmfxK4vNbhZCw" + "7e2Rk9LmPq0TsUvWxYz1234567890AbCdEf"
RANDOM_SECRET = "q8Zr2" + "Lx9TbV4mNc7Wd1Ks5Jh3Gf6Pa0Ye" + "Xu8RiOo"
HEX_SECRET = "9f86d081884c7d65" + "9a2feaa0c55ad015a3bf4f1b2b0b822c"

CASES: list[Case] = [
    # ------------------------------------------------------------ V2I
    Case("V2I001", loose("import requests\n"), loose("from urllib.parse import quote\n"), "requests"),
    Case("V2I001", loose("import http.client\n"), loose("import json\n"), "http.client"),
    Case("V2I001", loose("from socket import create_connection\n"), loose("import re\n"), "socket"),
    Case("V2I001", loose("import urllib.request\n"), loose("import urllib.parse\n"), "urllib"),
    Case("V2I001", loose("import aiohttp as client\n"), loose("import dataclasses\n"), "aiohttp"),
    Case(
        "V2I001",
        loose("import importlib\nhttp = importlib.import_module('httpx')\n"),
        loose("import importlib\nx = importlib.import_module('json')\n"),
        "dynamic",
    ),
    Case(
        "V2I001",
        loose("from harness.execution.transport import Transport\n"),
        loose("from harness.integration import FlowSpec\n"),
        "transport",
    ),
    Case(
        "V2I001",
        loose("from harness.certify.workspace import Workspace\n"),
        loose("from harness.domain import Flow\n"),
        "certify",
    ),
    Case("V2I002", variant("class Demo(ConnectorV2):", "class Demo:", "connector.py"), BASELINE),
    Case(
        "V2I003",
        variant("flows: ClassVar = flow_table(", "flows: ClassVar = dict(", "connector.py"),
        BASELINE,
    ),
    Case(
        "V2I004",
        variant(
            "    def parse_error(self, response, ctx)",
            "    def get_request_body(self, router_data, ctx):\n        return None\n\n"
            "    def parse_error(self, response, ctx)",
            "connector.py",
        ),
        BASELINE,
    ),
    Case(
        "V2I005",
        loose("import os\nKEY = os.environ['DEMO_KEY']\n"),
        loose("import os\nSEP = os.sep\n"),
        "env",
    ),
    Case(
        "V2I005",
        loose("def load():\n    return open('key.txt').read()\n"),
        loose("def load(x):\n    return x\n"),
        "open",
    ),
    Case("V2I005", loose("import subprocess\n"), loose("import string\n"), "subprocess"),
    # ------------------------------------------------------------ AMT
    Case(
        "AMT001",
        variant("class Amount(BaseModel):\n    value: int", "class Amount(BaseModel):\n    value: float"),
        BASELINE,
        "float",
    ),
    Case(
        "AMT001",
        loose(
            "from decimal import Decimal\nfrom pydantic import BaseModel\n\nclass Refund(BaseModel):\n"
            "    refund_amount: Decimal | None = None\n"
        ),
        loose(
            "from pydantic import BaseModel\n\n"
            "class Refund(BaseModel):\n    refund_amount: int | None = None\n"
        ),
        "decimal",
    ),
    Case(
        "AMT002",
        variant("class Amount(BaseModel):\n    value: int", "class Amount(BaseModel):\n    value: str"),
        BASELINE,
    ),
    Case(
        "AMT003",
        loose("def surcharge(amount):\n    return amount * 1.5\n"),
        loose("def timeout_seconds():\n    return 2.5\n"),
    ),
    Case(
        "AMT004",
        loose("def major(amount):\n    return float(amount.value)\n"),
        loose("def ratio(count):\n    return float(count)\n"),
    ),
    Case(
        "AMT005",
        loose("def major(amount):\n    return amount.value / 100\n"),
        loose("def pages(count):\n    return count / 100\n"),
        "div",
    ),
    Case(
        "AMT005",
        loose("def minor(total, currency):\n    return int(total * 10 ** currency.exponent)\n"),
        loose("def minor(total, currency, ctx):\n    return ctx.amount(total, currency)\n"),
        "pow",
    ),
    Case(
        "AMT005",
        loose(
            "from decimal import Decimal\n\n"
            "def major(amount):\n    return str(Decimal(amount.value).scaleb(-2))\n"
        ),
        loose("from decimal import Decimal\n\ndef rate(text):\n    return Decimal(text)\n"),
        "decimal",
    ),
    Case(
        "AMT006",
        loose("def capture_amount(amount):\n    return round(amount.value * 0.5)\n"),
        loose("def pages(count):\n    return round(count)\n"),
    ),
    # ------------------------------------------------------------ CNV
    Case("CNV001", variant("    amount_converter = t.AMOUNTS\n", "", "connector.py"), BASELINE),
    Case(
        "CNV002", variant("amount_converter = t.AMOUNTS", "amount_converter = None", "connector.py"), BASELINE
    ),
    Case(
        "CNV003",
        variant("value=ctx.amount(request.amount, request.currency)", "value=request.amount.value"),
        BASELINE,
        "authorize",
    ),
    Case(
        "CNV003",
        variant(
            'amount=ctx.amount(amount, request.currency, field="refund_amount")', "amount=amount.value * 1"
        ),
        BASELINE,
        "refund",
    ),
    Case(
        "CNV004",
        variant("AMOUNTS = MinorUnitConverter(CURRENCIES)", "AMOUNTS = MinorUnitConverter()"),
        BASELINE,
    ),
    Case(
        "CNV005",
        variant('    source="https://example.com/docs/currencies",\n', ""),
        BASELINE,
    ),
    Case(
        "CNV006",
        variant(
            "amount = ctx.amount_back(model.amount.value, currency)",
            "amount = MinorUnit(model.amount.value)",
        ),
        BASELINE,
    ),
    # ------------------------------------------------------------ CUR
    Case(
        "CUR001",
        variant('return Currency.parse(code, field="currency")', "return Currency(code.upper())"),
        BASELINE,
        "call",
    ),
    Case(
        "CUR001",
        variant('return Currency.parse(code, field="currency")', "return Currency[code.upper()]"),
        BASELINE,
        "subscript",
    ),
    Case(
        "CUR002",
        variant(
            "class Amount(BaseModel):\n    value: int\n    currency: str",
            'class Amount(BaseModel):\n    value: int\n    currency: str = "USD"',
        ),
        BASELINE,
        "field",
    ),
    Case(
        "CUR002",
        loose("def currency_of(body, currency='eur'):\n    return body.get('currency', 'EUR')\n"),
        loose("def currency_of(body, currency):\n    return body.get('currency')\n"),
        "fallback",
    ),
    Case(
        "CUR002",
        variant("currency=request.currency.value)", 'currency="EUR")'),
        BASELINE,
        "literal",
    ),
    Case(
        "CUR003",
        variant(
            "        currency=currency,\n        raw_status",
            "        currency=model.amount.currency,\n        raw_status",
        ),
        BASELINE,
        "response-data",
    ),
    Case(
        "CUR003",
        variant(
            "amount = ctx.amount_back(model.amount.value, currency)",
            "amount = ctx.amount_back(model.amount.value, model.amount.currency)",
        ),
        BASELINE,
        "amount-back",
    ),
    # ------------------------------------------------------------ REF
    Case(
        "REF001",
        variant(
            "merchant_reference=rd.resource_common_data.connector_request_reference_id,",
            'merchant_reference="order-1",',
        ),
        BASELINE,
        "literal",
    ),
    Case(
        "REF001",
        variant(
            "reference=rd.resource_common_data.connector_request_reference_id,\n    )",
            'reference=f"refund-{request.refund_amount.value}",\n    )',
        ),
        BASELINE,
        "f-string",
    ),
    Case(
        "REF001",
        loose("import time\n\ndef body(rd):\n    return {'order_id': str(int(time.time()))}\n"),
        loose(
            "def body(rd):\n    return {'order_id': rd.resource_common_data.connector_request_reference_id}\n"
        ),
        "clock",
    ),
    Case(
        "REF002",
        loose("import uuid\n\ndef idempotency_key():\n    return str(uuid.uuid4())\n"),
        loose("import uuid\n\nNAMESPACE = uuid.NAMESPACE_URL\n"),
    ),
    Case(
        "REF003",
        loose("from datetime import datetime\n\ndef stamp():\n    return datetime.now().isoformat()\n"),
        loose("def stamp(rd):\n    return rd.request.created_at\n"),
    ),
    Case(
        "REF004",
        variant(
            "merchant_reference=rd.resource_common_data.connector_request_reference_id,",
            "merchant_reference=rd.resource_common_data.connector_request_reference_id.upper(),",
        ),
        BASELINE,
        "upper",
    ),
    Case(
        "REF004",
        variant(
            "reference=rd.resource_common_data.connector_request_reference_id,\n    )",
            "reference=rd.resource_common_data.connector_request_reference_id[:20],\n    )",
        ),
        BASELINE,
        "slice",
    ),
    Case(
        "REF004",
        loose(
            "def body(rd):\n    ref = rd.resource_common_data.connector_request_reference_id\n"
            "    return {'reference': 'R-' + ref}\n"
        ),
        loose(
            "def body(rd):\n    ref = rd.resource_common_data.connector_request_reference_id\n"
            "    return {'reference': ref}\n"
        ),
        "concatenation",
    ),
    Case(
        "REF004",
        loose(
            "def body(rd):\n"
            "    return {'reference': f'{rd.resource_common_data.connector_request_reference_id}-1'}\n"
        ),
        loose(
            "def orders_path(rd):\n"
            "    return f'v1/orders/{rd.resource_common_data.connector_request_reference_id}'\n"
        ),
        "f-string",
    ),
    # ------------------------------------------------------------ UNW
    Case(
        "UNW001",
        loose(
            "def parse(body):\n    try:\n        return body.decode()\n"
            "    except:\n        raise ValueError('x')\n"
        ),
        loose(
            "def parse(body):\n    try:\n        return body.decode()\n    except UnicodeDecodeError:\n"
            "        raise ValueError('x') from None\n"
        ),
    ),
    Case(
        "UNW002",
        loose(
            "def parse(body):\n    try:\n        return body.decode()\n"
            "    except UnicodeDecodeError:\n        pass\n"
        ),
        loose(
            "def parse(body):\n    try:\n        return body.decode()\n    except UnicodeDecodeError:\n"
            "        return None\n"
        ),
    ),
    Case(
        "UNW003",
        loose("def check(model):\n    assert model.id, 'id missing'\n    return model.id\n"),
        loose(
            "def check(model):\n    if not model.id:\n"
            "        raise ValueError('id missing')\n    return model.id\n"
        ),
    ),
    Case(
        "UNW004",
        loose("x: int = 'a'  # type: ignore\n"),
        loose("x: int = 'a'  # type: ignore[assignment]  # the stub declares int, the API sends text\n"),
    ),
    Case(
        "UNW005",
        variant('error = body.get("error") or {}', 'error = body["error"]'),
        BASELINE,
        "decoded",
    ),
    Case(
        "UNW005",
        variant(
            'connector_response_reference_id=model.metadata.get("reference")',
            'connector_response_reference_id=model.metadata["reference"]',
        ),
        BASELINE,
        "model-dict",
    ),
    # ------------------------------------------------------------ PII
    Case("PII001", variant("    number: Secret[str]\n", "    number: str\n"), BASELINE, "card-number"),
    Case("PII001", variant("    cvc: Secret[str]\n", "    cvc: str\n"), BASELINE, "cvc"),
    Case("PII001", variant("    expiry_month: Secret[str]\n", "    expiry_month: str\n"), BASELINE, "expiry"),
    Case(
        "PII001",
        variant("    holder_name: Secret[str] | None = None", "    holder_name: str | None = None"),
        BASELINE,
        "holder",
    ),
    Case(
        "PII001",
        variant("    shopper_email: Secret[str] | None = None", "    shopper_email: str | None = None"),
        BASELINE,
        "email",
    ),
    Case(
        "PII001",
        loose("from pydantic import BaseModel\n\nclass Address(BaseModel):\n    line1: str\n    city: str\n"),
        loose(
            "from pydantic import BaseModel\nfrom harness.domain import Secret\n\nclass Address(BaseModel):\n"
            "    line1: Secret[str]\n    city: str\n"
        ),
        "address",
    ),
    Case(
        "PII001",
        loose(
            "from pydantic import BaseModel\n\nclass Token(BaseModel):\n    access_token: str\n"
            "    token_type: str\n    expires_in: int\n"
        ),
        loose(
            "from pydantic import BaseModel\nfrom harness.domain import Secret\n\nclass Token(BaseModel):\n"
            "    access_token: Secret[str]\n    token_type: str\n    expires_in: int\n"
        ),
        "token",
    ),
    Case(
        "PII001",
        loose(
            "from pydantic import BaseModel\n\nclass Auth(BaseModel):\n"
            "    client_secret: str\n    phone: str\n"
        ),
        loose(
            "from pydantic import BaseModel\nfrom harness.domain import Secret\n\nclass Auth(BaseModel):\n"
            "    client_secret: Secret[str]\n    phone: Secret[str]\n"
        ),
        "secret",
    ),
    Case(
        "PII002",
        variant(
            'Maskable.masked(f"Bearer {auth.api_key.expose()}")',
            'Maskable.normal(f"Bearer {auth.api_key.expose()}")',
            "connector.py",
        ),
        BASELINE,
    ),
    Case(
        "PII003",
        loose("def check(card):\n    raise ValueError(f'bad card {card.card_number.expose()}')\n"),
        loose("def check(card):\n    raise ValueError('bad card number')\n"),
    ),
    Case(
        "PII004",
        loose("def handle(model):\n    print(model)\n    return model\n"),
        loose("def handle(model):\n    return model\n"),
    ),
    # ------------------------------------------------------------ STS
    Case(
        "STS001",
        variant("unknown=AttemptStatus.PENDING", "unknown=AttemptStatus.CHARGED"),
        BASELINE,
        "payment",
    ),
    Case(
        "STS001",
        variant("unknown=RefundStatus.PENDING", "unknown=RefundStatus.SUCCESS"),
        BASELINE,
        "refund",
    ),
    Case(
        "STS002",
        variant(
            "status=status_from_table(model.status, STATUS, unknown=AttemptStatus.PENDING)",
            "status=STATUS.get(model.status, AttemptStatus.CHARGED)",
        ),
        variant(
            "status=status_from_table(model.status, STATUS, unknown=AttemptStatus.PENDING)",
            "status=STATUS.get(model.status, AttemptStatus.PENDING)",
        ),
    ),
    Case(
        "STS003",
        loose(
            "from harness.domain import AttemptStatus\n\ndef status(raw):\n    if raw == 'authorised':\n"
            "        return AttemptStatus.AUTHORIZED\n    elif raw in ('refused', 'error'):\n"
            "        return AttemptStatus.FAILURE\n    else:\n        return AttemptStatus.CHARGED\n"
        ),
        loose(
            "from harness.domain import AttemptStatus\n\ndef status(raw):\n    if raw == 'authorised':\n"
            "        return AttemptStatus.AUTHORIZED\n    elif raw in ('refused', 'error'):\n"
            "        return AttemptStatus.FAILURE\n    else:\n        return AttemptStatus.PENDING\n"
        ),
        "else",
    ),
    Case(
        "STS003",
        loose(
            "from harness.domain import AttemptStatus\n\ndef status(raw):\n    match raw:\n"
            "        case 'authorised':\n            return AttemptStatus.AUTHORIZED\n"
            "        case _:\n            return AttemptStatus.FAILURE\n"
        ),
        loose(
            "from harness.domain import AttemptStatus\n\ndef status(raw):\n    match raw:\n"
            "        case 'authorised':\n            return AttemptStatus.AUTHORIZED\n"
            "        case _:\n            return AttemptStatus.PENDING\n"
        ),
        "match",
    ),
    Case(
        "STS003",
        loose(
            "from harness.domain import AttemptStatus\n\ndef status(raw):\n    if raw == 'authorised':\n"
            "        return AttemptStatus.AUTHORIZED\n    if raw == 'pending':\n"
            "        return AttemptStatus.PENDING\n    return AttemptStatus.FAILURE\n"
        ),
        loose(
            "from harness.domain import AttemptStatus\n\ndef status(raw):\n    if raw == 'authorised':\n"
            "        return AttemptStatus.AUTHORIZED\n    if raw == 'refused':\n"
            "        return AttemptStatus.FAILURE\n    return AttemptStatus.PENDING\n"
        ),
        "fallthrough",
    ),
    Case(
        "STS004",
        variant(
            "    return RefundsResponseData(\n        connector_refund_id=model.id,",
            "    if model.status == 'done':\n"
            "        return PaymentsResponseData(status=AttemptStatus.AUTO_REFUNDED)\n"
            "    return RefundsResponseData(\n        connector_refund_id=model.id,",
        ),
        BASELINE,
    ),
    # ------------------------------------------------------------ CRD
    Case(
        "CRD001",
        loose(f"API_KEY_FALLBACK = {STRIPE_STYLE_KEY!r}\n"),
        loose("API_KEY_ENV = 'DEMO_API_KEY'\n"),
        "stripe",
    ),
    Case(
        "CRD001",
        loose(f"# rotate {ADYEN_STYLE_KEY} later\n"),
        loose("# keys come from DEMO_API_KEY\n"),
        "comment",
    ),
    Case(
        "CRD001",
        loose("HEADERS = {'Authorization': 'Basic ZGVtbzpkZW1vLXBhc3N3b3Jk'}\n"),
        loose("HEADERS = {'Authorization': 'Basic '}\n"),
        "basic",
    ),
    Case(
        "CRD002",
        loose(f"SIGNING = {RANDOM_SECRET!r}\n"),
        loose("PATH = 'v1/payment_intents/capture/confirm'\n"),
        "base64",
    ),
    Case(
        "CRD002",
        loose(f"SIGNING = {HEX_SECRET!r}\n"),
        loose("CARD = '4242424242424242424242424242424242'\n"),
        "hex",
    ),
    Case(
        "CRD003",
        loose(
            "from harness.domain import HeaderKey, Secret\n\n"
            "AUTH = HeaderKey(api_key=Secret('demo-hardcoded-key'))\n"
        ),
        loose("from harness.domain import HeaderKey\n\nENV = {'api_key': 'DEMO_API_KEY'}\n"),
    ),
]


def cases_for(prefix: str) -> list[Case]:
    return [c for c in CASES if c.rule.startswith(prefix)]


# near misses: code that looks like a rule's violation but is not one
NEAR_MISSES: list[tuple[str, Files]] = [
    (
        "STS003",
        loose(
            "from harness.domain import AttemptStatus\n\n"
            "def authorised(rd):\n"
            "    manual = rd.request.capture_method == 'manual'\n"
            "    return AttemptStatus.AUTHORIZED if rd.request.capture_method == 'manual' else "
            "AttemptStatus.CHARGED\n"
        ),
    ),
    (
        "STS002",
        loose(
            "from harness.domain import AttemptStatus, ErrorResponse\n\n"
            "BY_CODE = {'05': AttemptStatus.FAILURE}\n\n"
            "def error_response(code, status_code):\n"
            "    return ErrorResponse(code=code, message=code, status_code=status_code,\n"
            "                         attempt_status=BY_CODE.get(code, AttemptStatus.AUTHORIZATION_FAILED))\n"
        ),
    ),
    ("REF001", loose("def body():\n    return {'shopperReference': 'guest'}\n")),
    (
        "CNV003",
        variant(
            "value=ctx.amount(request.amount, request.currency)",
            "value=int(ctx.amount(request.amount, request.currency))",
        ),
    ),
    (
        "PII001",
        loose(
            "from pydantic import BaseModel\n\nclass Card(BaseModel):\n    brand: str\n    last4: str\n"
            "    cvc_check: str\n    token_type: str\n"
        ),
    ),
    ("UNW005", loose("def first_error(errors: list[str]):\n    return errors[0]\n")),
    ("CRD003", loose("AUTH = {'grant_type': 'client_credentials', 'api_key_env': 'DEMO_API_KEY'}\n")),
    ("V2I001", loose("from urllib.parse import urlencode\nimport urllib.parse\n")),
    (
        "V2I002",
        loose(
            "from pydantic import BaseModel\n\nclass Summary(BaseModel):\n    flows: dict[str, str] = {}\n"
        ),
    ),
    ("CRD002", loose("ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'\n")),
]

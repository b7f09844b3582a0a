"""Authorize.net's sandbox, simulated from its API reference, response codes and testing guide.

Facts used:
* one endpoint, POST, JSON; answers are HTTP 200 with a UTF-8 byte-order mark before the JSON,
  success and failure told by `messages.resultCode` (I00001 / E000xx) and
  `transactionResponse.responseCode` (1 approved, 2 declined, 3 error, 4 held for review);
* credentials in `merchantAuthentication` (E00007 when wrong), `refId` of at most 20 characters
  echoed back (E00003, a schema error, when longer);
* the test card numbers; card codes 900-904 giving card code results M, N, S, U, P; billing ZIP
  46282 giving a general decline and the ZIP codes of the AVS table; an expiry in the past giving
  reason 8, an impossible one reason 7 (testing guide and response code list);
* priorAuthCapture (reason 16 unknown transaction, 47 above the authorization), void (of any
  unsettled transaction, captured or not), linked refunds (only of settled transactions: reason
  54 otherwise; 55 above what is left to refund; card's last four and expiry XXXX);
* getTransactionDetails with `transactionStatus` (E00040 for an unknown id).

Account settings a sandbox merchant chooses, simulated here: the account's currency is USD
(reason 39 for any other), and the Card Code Verification filter rejects card code result N
(reason 65). Settlement happens once a day in the real sandbox; here only when `settle()` is
called (the certification runs never call it, which is why its refund scenarios are exempt).
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from harness.integration.encoding import dumps_exact
from harness.integration.sandbox import Sandbox, SandboxRequest, SandboxResponse

ENDPOINT = "/xml/v1/request.api"
BOM = b"\xef\xbb\xbf"
TODAY = (2025, 12)  # the simulated sandbox's month, for expiry checks (deterministic)

TEST_CARDS: dict[str, str] = {
    "370000000000002": "AmericanExpress",
    "6011000000000012": "Discover",
    "3088000000000017": "JCB",
    "38000000000006": "DinersClub",
    "4007000000027": "Visa",
    "4012888818888": "Visa",
    "4111111111111111": "Visa",
    "5424000000000015": "MasterCard",
    "2223000010309703": "MasterCard",
    "2223000010309711": "MasterCard",
}
CARD_CODE_RESULTS = {"900": "M", "901": "N", "902": "S", "903": "U", "904": "P"}
AVS_BY_ZIP = {
    "46201": "A", "46203": "E", "46204": "G", "46205": "N", "46206": "P", "46207": "R",
    "46208": "S", "46209": "U", "46211": "W", "46214": "X", "46217": "Z",
}  # fmt: skip
DECLINE_ZIP = "46282"

# response reason codes used here: (response code, text)
REASONS: dict[int, tuple[str, str]] = {
    1: ("1", "This transaction has been approved."),
    2: ("2", "This transaction has been declined."),
    6: ("3", "The credit card number is invalid."),
    7: ("3", "Credit card expiration date is invalid."),
    8: ("3", "The credit card has expired."),
    16: ("3", "The transaction cannot be found."),
    39: (
        "3",
        "The supplied currency code is either invalid, not supported, not allowed for this merchant or "
        "doesn't have an exchange rate.",
    ),
    47: ("3", "The amount requested for settlement cannot be greater than the original amount authorized."),
    54: ("3", "The referenced transaction does not meet the criteria for issuing a credit."),
    55: ("3", "The sum of credits against the referenced transaction would exceed original debit amount."),
    65: ("2", "This transaction has been declined."),
    310: ("3", "This transaction has already been voided."),
    311: ("3", "This transaction has already been captured."),
}
RESULT_OK = {"resultCode": "Ok", "message": [{"code": "I00001", "text": "Successful."}]}
RESULT_UNSUCCESSFUL = {
    "resultCode": "Error",
    "message": [{"code": "E00027", "text": "The transaction was unsuccessful."}],
}


def answer(body: dict[str, Any]) -> SandboxResponse:
    """HTTP 200, JSON with a byte-order mark, exact decimals: as the real endpoint answers."""
    return SandboxResponse(
        200, BOM + dumps_exact(body).encode(), {"Content-Type": "application/json; charset=utf-8"}
    )


def api_error(code: str, text: str, ref_id: str | None = None) -> SandboxResponse:
    body: dict[str, Any] = {}
    if ref_id is not None:
        body["refId"] = ref_id
    body["messages"] = {"resultCode": "Error", "message": [{"code": code, "text": text}]}
    return answer(body)


def amount_of(text: Any) -> Decimal | None:
    try:
        value = Decimal(str(text))
    except ArithmeticError:
        return None
    return value if value.is_finite() and value > 0 and value == value.quantize(Decimal("0.01")) else None


class AuthorizedotnetSandbox(Sandbox):
    name = "authorizedotnet"
    api_version = "v1"
    credentials = {"api_key": "certifyLogin7x", "key1": "certifyTxnKey016"}
    sources = (
        "https://developer.authorize.net/api/reference/index.html",
        "https://developer.authorize.net/api/reference/responseCodes.html",
        "https://developer.authorize.net/hello_world/testing_guide.html",
        "https://api.authorize.net/xml/v1/schema/AnetApiSchema.xsd",
    )
    account_currency = "USD"
    rejected_card_codes = frozenset({"N"})  # the Card Code Verification filter

    def __init__(self) -> None:
        super().__init__()
        self.transactions: dict[str, dict[str, Any]] = {}
        self._next_transaction = 40_000_000_000

    # ------------------------------------------------------------ plumbing

    def transaction_id(self) -> str:
        self._next_transaction += 1
        return str(self._next_transaction)

    def settle(self) -> None:
        """The daily batch: captured transactions and refunds become settled."""
        for transaction in self.transactions.values():
            if transaction["status"] == "capturedPendingSettlement":
                transaction["status"] = "settledSuccessfully"
            elif transaction["status"] == "refundPendingSettlement":
                transaction["status"] = "refundSettledSuccessfully"

    def handle(self, request: SandboxRequest) -> SandboxResponse:
        if request.method != "POST" or request.path.rstrip("/") != ENDPOINT:
            return SandboxResponse(
                404, b"<html><body>404 Not Found</body></html>", {"Content-Type": "text/html"}
            )
        try:
            document = json.loads(request.body.decode("utf-8-sig"), parse_float=Decimal)
        except ValueError:
            return api_error("E00003", "An error occurred while parsing the JSON request.")
        if not isinstance(document, dict) or len(document) != 1:
            return api_error("E00003", "The request must hold exactly one API call.")
        ((method, call),) = document.items()
        if not isinstance(call, dict):
            return api_error("E00003", f"The element '{method}' is invalid.")
        auth = call.get("merchantAuthentication") or {}
        if (auth.get("name"), auth.get("transactionKey")) != (
            self.credentials["api_key"],
            self.credentials["key1"],
        ):
            return api_error("E00007", "User authentication failed due to invalid authentication values.")
        ref_id = call.get("refId")
        if ref_id is not None and (not isinstance(ref_id, str) or len(ref_id) > 20):
            return api_error(
                "E00003",
                "The 'AnetApi/xml/v1/schema/AnetApiSchema.xsd:refId' element is invalid - The value is "
                "invalid according to its datatype 'String' - The actual length is greater than the "
                "MaxLength value.",
            )
        if method == "createTransactionRequest":
            return self.create_transaction(call.get("transactionRequest") or {}, ref_id)
        if method == "getTransactionDetailsRequest":
            return self.details(str(call.get("transId") or ""), ref_id)
        return api_error("E00003", f"The element '{method}' is not a supported API call.", ref_id)

    def transaction_answer(
        self,
        ref_id: str | None,
        reason: int,
        *,
        trans_id: str = "0",
        ref_trans_id: str = "",
        transaction: dict[str, Any] | None = None,
        avs: str = "",
        cvv: str = "",
    ) -> SandboxResponse:
        response_code, text = REASONS[reason]
        result: dict[str, Any] = {
            "responseCode": response_code,
            "authCode": transaction.get("authCode", "") if transaction and response_code == "1" else "",
            "avsResultCode": avs or "P",
            "cvvResultCode": cvv,
            "cavvResultCode": "",
            "transId": trans_id,
            "refTransID": ref_trans_id,
            "transHash": "",
            "testRequest": "0",
            "accountNumber": f"XXXX{transaction['last4']}" if transaction else "",
            "accountType": transaction["cardType"] if transaction else "",
        }
        if response_code == "1":
            result["messages"] = [{"code": str(reason), "description": text}]
        else:
            result["errors"] = [{"errorCode": str(reason), "errorText": text}]
        result["transHashSha2"] = ""
        result["SupplementalDataQualificationIndicator"] = 0
        if transaction and response_code == "1":
            result["networkTransId"] = transaction["networkTransId"]
        body: dict[str, Any] = {"transactionResponse": result}
        if ref_id is not None:
            body["refId"] = ref_id
        body["messages"] = RESULT_OK if response_code == "1" else RESULT_UNSUCCESSFUL
        return answer(body)

    # ------------------------------------------------------------ createTransactionRequest

    def create_transaction(self, request: dict[str, Any], ref_id: str | None) -> SandboxResponse:
        kind = request.get("transactionType")
        if kind in ("authOnlyTransaction", "authCaptureTransaction"):
            return self.authorize(request, ref_id, capture=kind == "authCaptureTransaction")
        if kind == "priorAuthCaptureTransaction":
            return self.capture(request, ref_id)
        if kind == "voidTransaction":
            return self.void(request, ref_id)
        if kind == "refundTransaction":
            return self.refund(request, ref_id)
        return api_error("E00003", "The 'transactionType' element is invalid.", ref_id)

    def authorize(self, request: dict[str, Any], ref_id: str | None, *, capture: bool) -> SandboxResponse:
        amount = amount_of(request.get("amount"))
        if amount is None:
            return api_error("E00003", "The 'amount' element is invalid.", ref_id)
        if (request.get("currencyCode") or self.account_currency) != self.account_currency:
            return self.transaction_answer(ref_id, 39)
        card = ((request.get("payment") or {}).get("creditCard")) or {}
        number = str(card.get("cardNumber") or "")
        if number not in TEST_CARDS:
            return self.transaction_answer(ref_id, 6)
        expiry = str(card.get("expirationDate") or "")
        year, _, month = expiry.partition("-")
        if not (year.isdigit() and month.isdigit() and len(year) == 4 and 1 <= int(month) <= 12):
            return self.transaction_answer(ref_id, 7)
        if (int(year), int(month)) < TODAY:
            return self.transaction_answer(ref_id, 8)
        zip_code = str(((request.get("billTo") or {}).get("zip")) or "")
        avs = AVS_BY_ZIP.get(zip_code, "Y" if zip_code else "P")
        card_code = card.get("cardCode")
        cvv = CARD_CODE_RESULTS.get(str(card_code), "M") if card_code else ""
        trans_id = self.transaction_id()
        transaction = {
            "transId": trans_id,
            "transactionType": "authCaptureTransaction" if capture else "authOnlyTransaction",
            "status": "capturedPendingSettlement" if capture else "authorizedPendingCapture",
            "authAmount": amount,
            "settleAmount": amount if capture else Decimal("0.00"),
            "invoiceNumber": ((request.get("order") or {}).get("invoiceNumber")),
            "last4": number[-4:],
            "cardType": TEST_CARDS[number],
            "authCode": self.new_id("", 6).upper(),
            "networkTransId": self.new_id("", 15).upper(),
            "avs": avs,
            "cvv": cvv,
            "refunded": Decimal("0.00"),
            "reason": 1,
        }
        self.transactions[trans_id] = transaction
        if zip_code == DECLINE_ZIP or cvv in self.rejected_card_codes:
            transaction.update(status="declined", settleAmount=Decimal("0.00"))
            reason = 2 if zip_code == DECLINE_ZIP else 65
            transaction["reason"] = reason
            return self.transaction_answer(
                ref_id, reason, trans_id=trans_id, transaction=transaction, avs=avs, cvv=cvv
            )
        return self.transaction_answer(
            ref_id, 1, trans_id=trans_id, transaction=transaction, avs=avs, cvv=cvv
        )

    def referenced(self, request: dict[str, Any]) -> tuple[str, dict[str, Any] | None]:
        ref_trans_id = str(request.get("refTransId") or "")
        return ref_trans_id, self.transactions.get(ref_trans_id)

    def capture(self, request: dict[str, Any], ref_id: str | None) -> SandboxResponse:
        ref_trans_id, original = self.referenced(request)
        if original is None or original["transactionType"] == "refundTransaction":
            return self.transaction_answer(ref_id, 16, ref_trans_id=ref_trans_id)
        if original["status"] in ("capturedPendingSettlement", "settledSuccessfully"):
            return self.transaction_answer(ref_id, 311, ref_trans_id=ref_trans_id)
        if original["status"] != "authorizedPendingCapture":
            return self.transaction_answer(ref_id, 16, ref_trans_id=ref_trans_id)
        amount = amount_of(request.get("amount", original["authAmount"]))
        if amount is None:
            return api_error("E00003", "The 'amount' element is invalid.", ref_id)
        if amount > original["authAmount"]:
            return self.transaction_answer(ref_id, 47, ref_trans_id=ref_trans_id)
        original.update(status="capturedPendingSettlement", settleAmount=amount)
        return self.transaction_answer(
            ref_id, 1, trans_id=ref_trans_id, ref_trans_id=ref_trans_id, transaction=original
        )

    def void(self, request: dict[str, Any], ref_id: str | None) -> SandboxResponse:
        ref_trans_id, original = self.referenced(request)
        if original is None:
            return self.transaction_answer(ref_id, 16, ref_trans_id=ref_trans_id)
        if original["status"] == "voided":
            return self.transaction_answer(ref_id, 310, ref_trans_id=ref_trans_id)
        if original["status"] not in (
            "authorizedPendingCapture",
            "capturedPendingSettlement",
            "refundPendingSettlement",
        ):
            return self.transaction_answer(ref_id, 16, ref_trans_id=ref_trans_id)  # settled or declined
        original.update(status="voided", settleAmount=Decimal("0.00"))
        return self.transaction_answer(
            ref_id, 1, trans_id=ref_trans_id, ref_trans_id=ref_trans_id, transaction=original
        )

    def refund(self, request: dict[str, Any], ref_id: str | None) -> SandboxResponse:
        ref_trans_id, original = self.referenced(request)
        if original is None:
            return self.transaction_answer(ref_id, 16, ref_trans_id=ref_trans_id)
        card = ((request.get("payment") or {}).get("creditCard")) or {}
        number, expiry = str(card.get("cardNumber") or ""), str(card.get("expirationDate") or "")
        if (
            original["status"] != "settledSuccessfully"
            or number[-4:] != original["last4"]
            or expiry != "XXXX"
        ):
            return self.transaction_answer(ref_id, 54, ref_trans_id=ref_trans_id)
        amount = amount_of(request.get("amount"))
        if amount is None:
            return api_error("E00003", "The 'amount' element is invalid.", ref_id)
        if original["refunded"] + amount > original["settleAmount"]:
            return self.transaction_answer(ref_id, 55, ref_trans_id=ref_trans_id)
        original["refunded"] += amount
        trans_id = self.transaction_id()
        refund = {
            **original,
            "transId": trans_id,
            "refTransId": ref_trans_id,
            "transactionType": "refundTransaction",
            "status": "refundPendingSettlement",
            "authAmount": amount,
            "settleAmount": amount,
            "invoiceNumber": None,
            "networkTransId": self.new_id("", 15).upper(),
            "refunded": Decimal("0.00"),
        }
        self.transactions[trans_id] = refund
        return self.transaction_answer(
            ref_id, 1, trans_id=trans_id, ref_trans_id=ref_trans_id, transaction=refund
        )

    # ------------------------------------------------------------ getTransactionDetailsRequest

    def details(self, trans_id: str, ref_id: str | None) -> SandboxResponse:
        transaction = self.transactions.get(trans_id)
        if transaction is None:
            return api_error("E00040", "The record cannot be found.", ref_id)
        reason = transaction["reason"]
        response_code, text = REASONS[reason]
        detail: dict[str, Any] = {"transId": trans_id}
        if transaction.get("refTransId"):
            detail["refTransId"] = transaction["refTransId"]
        second = int(trans_id) % 60
        detail.update(
            submitTimeUTC=f"2025-12-01T10:00:{second:02d}.000Z",
            submitTimeLocal=f"2025-12-01T02:00:{second:02d}.000",
            transactionType=transaction["transactionType"],
            transactionStatus=transaction["status"],
            responseCode=int(response_code),
            responseReasonCode=reason,
            responseReasonDescription="Approval" if reason == 1 else text,
            authCode=transaction["authCode"] if response_code == "1" else "000000",
            AVSResponse=transaction["avs"],
        )
        if transaction["cvv"]:
            detail["cardCodeResponse"] = transaction["cvv"]
        if transaction.get("invoiceNumber"):
            detail["order"] = {
                "invoiceNumber": transaction["invoiceNumber"],
                "discountAmount": Decimal("0.00"),
            }
        detail.update(
            authAmount=transaction["authAmount"],
            settleAmount=transaction["settleAmount"],
            taxExempt=False,
            payment={
                "creditCard": {
                    "cardNumber": f"XXXX{transaction['last4']}",
                    "expirationDate": "XXXX",
                    "cardType": transaction["cardType"],
                }
            },
            recurringBilling=False,
            product="Card Not Present",
            marketType="eCommerce",
            networkTransId=transaction["networkTransId"],
        )
        body: dict[str, Any] = {"transaction": detail}
        if ref_id is not None:
            body["refId"] = ref_id
        body["messages"] = RESULT_OK
        return answer(body)

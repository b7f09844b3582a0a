"""Authorize.net answers, shaped as the API reference's examples (transaction ids, codes, texts)."""

from __future__ import annotations

from typing import Any

TRANS_ID = "40012345678"
OK = {"resultCode": "Ok", "message": [{"code": "I00001", "text": "Successful."}]}
UNSUCCESSFUL = {
    "resultCode": "Error",
    "message": [{"code": "E00027", "text": "The transaction was unsuccessful."}],
}


def transaction(
    response_code: str = "1",
    *,
    trans_id: str = TRANS_ID,
    ref_trans_id: str = "",
    error: tuple[str, str] | None = None,
    avs: str = "Y",
    cvv: str = "M",
    ref_id: str | None = "order_ref_1",
    **extra: Any,
) -> dict[str, Any]:
    result: dict[str, Any] = {
        "responseCode": response_code,
        "authCode": "QHRSKV" if response_code == "1" else "",
        "avsResultCode": avs,
        "cvvResultCode": cvv,
        "cavvResultCode": "2",
        "transId": trans_id,
        "refTransID": ref_trans_id,
        "transHash": "",
        "testRequest": "0",
        "accountNumber": "XXXX1111",
        "accountType": "Visa",
        "transHashSha2": "",
        "SupplementalDataQualificationIndicator": 0,
        "networkTransId": "123456789NNNH",
    }
    if error is None:
        result["messages"] = [{"code": "1", "description": "This transaction has been approved."}]
    else:
        result["errors"] = [{"errorCode": error[0], "errorText": error[1]}]
    result.update(extra)
    body: dict[str, Any] = {"transactionResponse": result}
    if ref_id is not None:
        body["refId"] = ref_id
    body["messages"] = OK if error is None else UNSUCCESSFUL
    return body


def api_error(code: str, text: str) -> dict[str, Any]:
    return {"messages": {"resultCode": "Error", "message": [{"code": code, "text": text}]}}


def details(
    status: str,
    *,
    trans_id: str = TRANS_ID,
    transaction_type: str = "authOnlyTransaction",
    auth_amount: str = "10.00",
    settle_amount: str = "0.00",
    **extra: Any,
) -> str:
    """getTransactionDetails answer as JSON text: amounts are JSON numbers with two decimals."""
    import json

    detail = {
        "transId": trans_id,
        "submitTimeUTC": "2025-12-01T10:00:00.000Z",
        "submitTimeLocal": "2025-12-01T02:00:00.000",
        "transactionType": transaction_type,
        "transactionStatus": status,
        "responseCode": 1,
        "responseReasonCode": 1,
        "responseReasonDescription": "Approval",
        "authCode": "QHRSKV",
        "AVSResponse": "Y",
        "cardCodeResponse": "M",
        "order": {"invoiceNumber": "order_ref_1"},
        "authAmount": "@AUTH@",
        "settleAmount": "@SETTLE@",
        "taxExempt": False,
        "payment": {"creditCard": {"cardNumber": "XXXX1111", "expirationDate": "XXXX", "cardType": "Visa"}},
        "recurringBilling": False,
        "product": "Card Not Present",
        "marketType": "eCommerce",
        "networkTransId": "123456789NNNH",
        **extra,
    }
    text = json.dumps({"transaction": detail, "messages": OK})
    return text.replace('"@AUTH@"', auth_amount).replace('"@SETTLE@"', settle_amount)

"""UNW: the error parser swallows whatever goes wrong."""

from __future__ import annotations

from connectors.stripe import transformers as t
from connectors.stripe.connector import Stripe
from harness.domain import ErrorResponse
from harness.integration import HttpResponse, ResponseContext


class SwallowedErrors(Stripe):
    id = "broken_lint_unw"
    base_url_key = "stripe"

    def parse_error(self, response: HttpResponse, ctx: ResponseContext) -> ErrorResponse:
        try:
            return t.error_response(response, ctx)
        except:  # noqa: E722  # the broken rule: a bare except that swallows the error
            pass
        return ErrorResponse(code="unknown", message="unknown", status_code=response.status_code)

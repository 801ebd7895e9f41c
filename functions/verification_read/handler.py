"""GET /v1/verifications/{verification_id}: the lifecycle status and decision. GET /v1/verifications:
find one by biz_no, or list a channel's, a page at a time."""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from faceid_bridge import wiring
from faceid_bridge.api import http_app, query_parameter, responses, serve
from faceid_bridge.api_listing import ListParameters, VerificationPage
from faceid_bridge.api_models import VerificationView
from faceid_bridge.config import load
from faceid_bridge.config.verifications import VerificationReadConfig
from faceid_bridge.domain.verification import utcnow
from faceid_bridge.errors import ArgumentError
from faceid_bridge.faceid.common import ContractError, parse
from faceid_bridge.observability import logger
from faceid_bridge.services.listing import find_by_biz_no, list_verifications, query_of
from faceid_bridge.services.query import get_verification
from faceid_bridge.tracing import traced

CONFIG = load(VerificationReadConfig)  # checked as the function starts: a missing variable stops it here, named
resolver = http_app()


@resolver.get(
    "/v1/verifications/<verification_id>",
    summary="Read a verification: its status and decision",
    responses=responses(200, VerificationView, 404),
)
def read(verification_id: str) -> VerificationView:
    return VerificationView.of(get_verification(verification_id, store=wiring.store()))


LIST_PARAMETERS = [
    query_parameter("biz_no", "your order's biz_no: its verification (alone; no other parameter)"),
    query_parameter("channel", "h5_lite, app or h5_raw: required without biz_no or cursor"),
    query_parameter("status", "only verifications in this status (CREATED, PROCESSING, OK, FAILED...)"),
    query_parameter("created_after", "ISO 8601 with offset, inclusive (default: created_before - 7 days)"),
    query_parameter("created_before", "ISO 8601 with offset, exclusive (default: now); a range is 31 days at most"),
    query_parameter("limit", "page size, 1 to 100 (default 20)"),
    query_parameter("cursor", "the last page's next_cursor: the next page of the same query"),
]


@resolver.get(
    "/v1/verifications",
    summary="Find a verification by biz_no, or list a channel's, oldest first",
    responses=responses(200, VerificationPage, 400),
    openapi_extensions={"parameters": LIST_PARAMETERS},
)
def listing() -> VerificationPage:
    try:
        parameters = parse(ListParameters, resolver.current_event.query_string_parameters or {})
    except ContractError as refused:
        raise ArgumentError(refused.message) from None
    store = wiring.store()
    if parameters.biz_no is not None:
        found = find_by_biz_no(parameters.biz_no, store=store)
        return VerificationPage(verifications=[VerificationView.of(verification) for verification in found])
    query = query_of(
        channel=parameters.channel,
        status=parameters.status,
        created_after=parameters.created_after,
        created_before=parameters.created_before,
        cursor=parameters.cursor,
        now=utcnow(),
    )
    page, next_cursor = list_verifications(query, limit=parameters.limit, store=store)
    return VerificationPage(verifications=[VerificationView.of(item) for item in page], next_cursor=next_cursor)


@traced
@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return serve(resolver, event, context)

"""GET /v1/verifications/{verification_id}: the lifecycle status and decision. GET /v1/verifications:
find one by biz_no, or list a channel's, a page at a time."""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from faceid_bridge import wiring
from faceid_bridge.api import documented_query, http_app, responses, serve
from faceid_bridge.api_input import parsed_query
from faceid_bridge.api_listing import ListParameters, VerificationPage
from faceid_bridge.api_models import VerificationView
from faceid_bridge.config import load
from faceid_bridge.config.verifications import VerificationReadConfig
from faceid_bridge.domain.verification import utcnow
from faceid_bridge.observability import logger
from faceid_bridge.services.listing import answer
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


@resolver.get(
    "/v1/verifications",
    summary="Find a verification by biz_no, or list a channel's, oldest first",
    responses=responses(200, VerificationPage, 400),
    openapi_extensions={"parameters": documented_query(ListParameters)},
)
def listing() -> VerificationPage:
    parameters = parsed_query(resolver, ListParameters)
    found, next_cursor = answer(
        biz_no=parameters.biz_no,
        channel=parameters.channel,
        status=parameters.status,
        created_after=parameters.created_after,
        created_before=parameters.created_before,
        cursor=parameters.cursor,
        limit=parameters.limit,
        now=utcnow(),
        store=wiring.store(),
    )
    return VerificationPage(verifications=[VerificationView.of(item) for item in found], next_cursor=next_cursor)


@traced
@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return serve(resolver, event, context)

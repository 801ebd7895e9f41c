"""The warm floor of a notify: the least a handler on the stack the design card mandates does for
one, measured beside ours in the same run (`make bench`, warm section).

Powertools' HTTP resolver routes the POST, its Logger and Metrics wrap the handler; the route
checks the sign over the form's `data`, validates FaceID's result with H5 Lite's contract model,
reads the verification and, for a first notify, writes its transition and audit record in one
transaction, on the same in-memory DynamoDB as ours; one log line and one metric. What it leaves
out is ours: the configuration, the bounds on the body, the state machine and evaluator, the store's
codec, the audit's redaction and the request line.
"""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver

from faceid_bridge.channels.h5_lite.contract import LiteResult, lite_sign_valid
from faceid_bridge.forms import parse_form


def floor_handler(dynamodb: Any, table: str, secret: str) -> Any:
    """A Lambda handler doing a notify's least, over `dynamodb` (a client, or the bench's fake)."""
    resolver, logger, metrics = APIGatewayHttpResolver(), Logger(service="floor"), Metrics(namespace="Floor")

    @resolver.post("/v1/faceid/notify")
    def notify() -> dict[str, str]:
        body = (resolver.current_event.decoded_body or "").encode()
        form = parse_form(body, "application/x-www-form-urlencoded")
        data, sign = form["data"][0].decode(), form["sign"][0].decode()
        if not lite_sign_valid([secret], data, sign):
            return {"error": "UNAUTHORIZED"}
        result = LiteResult.model_validate(json.loads(data))
        verification_id = resolver.current_event.get_query_string_value("verification_id", "")
        key = {"pk": {"S": f"VERIFICATION#{verification_id}"}, "sk": {"S": "VERIFICATION"}}
        item = dynamodb.get_item(TableName=table, Key=key, ConsistentRead=True)["Item"]
        if item["status"]["S"] == "CREATED":  # a first notify; a duplicate finds it settled
            update = {
                "TableName": table,
                "Key": key,
                "UpdateExpression": "SET #status = :status, #version = :next",
                "ConditionExpression": "#version = :expected",
                "ExpressionAttributeNames": {"#status": "status", "#version": "version"},
                "ExpressionAttributeValues": {
                    ":status": {"S": result.status},
                    ":next": {"N": str(int(item["version"]["N"]) + 1)},
                    ":expected": item["version"],
                },
            }
            audit = {"pk": key["pk"], "sk": {"S": f"AUDIT#{item['version']['N']}"}, "data": {"S": data}}
            dynamodb.transact_write_items(
                TransactItems=[{"Update": update}, {"Put": {"TableName": table, "Item": audit}}]
            )
        logger.info("notify", extra={"verification_id": verification_id, "status": result.status})
        metrics.add_metric(name="Notifies", unit="Count", value=1)
        return {"result": "OK"}

    @logger.inject_lambda_context
    @metrics.log_metrics
    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        return resolver.resolve(event, context)

    return handler

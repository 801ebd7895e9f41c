"""A local stand-in for API Gateway HTTP API (payload format 2.0): routes from template.yaml.

IAM auth is not enforced here (no AWS credentials exist locally); deployed, the client routes
require SigV4. Bodies are passed base64-encoded, as API Gateway does for form and binary bodies.
The path is passed percent-decoded in rawPath, requestContext.http.path and pathParameters, as HTTP
APIs do (unlike REST APIs and function URLs): `/v1/verifications/a%22b` arrives as `.../a"b`
(docs/decisions.md §7).
"""

from __future__ import annotations

import base64
import re
import time
import uuid
from typing import Any

from werkzeug.wrappers import Request, Response

from infra.local.functions import FunctionHost


class Gateway:
    def __init__(
        self,
        hosts: list[FunctionHost],
        domain_name: str,
        controls: dict[str, Any] | None = None,
        documents: dict[str, tuple[str, str]] | None = None,
    ) -> None:
        self.domain_name = domain_name
        self.controls = controls or {}  # local-only routes under /_local/, for fault injection
        self.documents = documents or {}  # local-only GET pages: path -> (content type, body)
        self.routes: list[tuple[str, re.Pattern[str], str, FunctionHost]] = []
        for host in hosts:
            for route in host.spec.routes:
                pattern = re.compile("^" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", route.path) + "$")
                self.routes.append((route.method, pattern, route.path, host))

    def event_for(self, request: Request, route_key: str, path_parameters: dict[str, str]) -> dict[str, Any]:
        body = request.get_data()
        query = request.query_string.decode()
        return {
            "version": "2.0",
            "routeKey": route_key,
            "rawPath": request.path,  # werkzeug's path: percent-decoded, as API Gateway's
            "rawQueryString": query,
            "headers": {key.lower(): value for key, value in request.headers.items()},
            "queryStringParameters": {key: ",".join(values) for key, values in request.args.lists()} or None,
            "pathParameters": path_parameters or None,
            "requestContext": {
                "accountId": "123456789012",
                "apiId": "local",
                "domainName": self.domain_name,
                "domainPrefix": "local",
                "http": {
                    "method": request.method,
                    "path": request.path,
                    "protocol": "HTTP/1.1",
                    "sourceIp": request.remote_addr or "127.0.0.1",
                    "userAgent": request.user_agent.string,
                },
                "requestId": str(uuid.uuid4()),
                "routeKey": route_key,
                "stage": "$default",
                "time": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime()),
                "timeEpoch": int(time.time() * 1000),
            },
            "body": base64.b64encode(body).decode() if body else None,
            "isBase64Encoded": bool(body),
        }

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        control = self.controls.get(request.path)
        if control is not None and request.method == "POST":
            return Response(control(request.get_data()), content_type="application/json")(environ, start_response)
        document = self.documents.get(request.path)
        if document is not None and request.method == "GET":
            return Response(document[1], content_type=document[0])(environ, start_response)
        for method, pattern, path, host in self.routes:
            match = pattern.match(request.path)
            if match and method == request.method:
                result = host.invoke(self.event_for(request, f"{method} {path}", match.groupdict()))
                response = self.response_of(result)
                break
        else:
            response = Response('{"message":"Not Found"}', status=404, content_type="application/json")
        return response(environ, start_response)

    @staticmethod
    def response_of(result: dict[str, Any]) -> Response:
        body = result.get("body") or ""
        data = base64.b64decode(body) if result.get("isBase64Encoded") else body.encode()
        response = Response(data, status=result.get("statusCode", 200))
        for key, value in (result.get("headers") or {}).items():
            response.headers[key] = value
        for cookie in result.get("cookies") or []:
            response.headers.add("Set-Cookie", cookie)
        return response

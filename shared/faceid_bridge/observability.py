"""One Logger and one Metrics per process, shared by handlers and services."""

from aws_lambda_powertools import Logger, Metrics

logger = Logger(service="faceid-bridge")
metrics = Metrics(namespace="FaceIdBridge", service="faceid-bridge")

"""Every metric faceid-bridge emits, by name: the code names them only through these, and
tests/unit/infra/test_template_operations.py checks every metric an alarm or the dashboard names is one
of them, and that each is emitted."""

from enum import StrEnum


class Metric(StrEnum):
    EVENTS_PUBLISHED = "EventsPublished"
    EVENTS_TRIMMED = "EventsTrimmed"
    FACEID_OUTCOMES_UNKNOWN = "FaceIdOutcomesUnknown"
    GET_RESULT_ERRORS = "GetResultErrors"
    GET_RESULT_READS = "GetResultReads"
    GET_RESULT_REFUSED = "GetResultRefused"
    GET_RESULT_UNREADABLE = "GetResultUnreadable"
    IDEMPOTENT_REPLAYS = "IdempotentReplays"
    IGNORED_TRANSITIONS = "IgnoredTransitions"
    LATE_CALLBACKS = "LateCallbacks"
    MALFORMED_CALLBACKS = "MalformedCallbacks"
    ORPHAN_CALLBACKS = "OrphanCallbacks"
    POISON_RECORDS = "PoisonRecords"
    PUBLISH_FAILURES = "PublishFailures"
    PUBLISH_RETRIES = "PublishRetries"
    RECONCILE_FAILURES = "ReconcileFailures"
    RECONCILER_BACKLOG_AGE_SECONDS = "ReconcilerBacklogAgeSeconds"
    RECONCILER_DUE = "ReconcilerDue"
    RECONCILER_OUT_OF_TIME = "ReconcilerOutOfTime"
    RECONCILER_RUNS_OVERLAPPED = "ReconcilerRunsOverlapped"
    RECONCILER_SKIPPED = "ReconcilerSkipped"
    SECRET_ROTATION_FIELDS_INVALID = "SecretRotationFieldsInvalid"  # noqa: S105 - a metric's name
    SIGNATURE_FAILURES = "SignatureFailures"
    TRANSITIONS = "Transitions"
    VERIFICATIONS_CREATED = "VerificationsCreated"
    WEBHOOK_ATTEMPTS_FAILED = "WebhookAttemptsFailed"
    WEBHOOKS_DEAD_LETTERED = "WebhooksDeadLettered"
    WEBHOOKS_DELIVERED = "WebhooksDelivered"

"""The built-in result page: plain words per outcome, the browser's language, nothing personal."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from faceid_bridge import result_page
from faceid_bridge.domain.decision import Decision
from faceid_bridge.domain.lifecycle import Status
from faceid_bridge.domain.verification import Verification
from tests.support import make_verification

NOW = datetime(2026, 11, 28, tzinfo=UTC)


def verification(status: Status, decision: Decision | None) -> Verification:
    return make_verification(
        "vrf_secret-id",
        created_at=NOW,
        biz_no="order-李雷-110101199003074514",
        biz_id="biz-1",
        comparison_type="1",
        references=0,
        status=status,
        decision=decision,
        reasons=["FACE_MISMATCH_REF1"] if decision else [],
    )


@pytest.mark.parametrize(
    ("header", "language"),
    [
        ("", "en"),
        ("zh-CN", "zh"),
        ("zh-Hant-TW,zh;q=0.9", "zh"),
        ("en-US,en;q=0.9,zh-CN;q=0.8", "en"),
        ("fr-FR,zh;q=0.7,en;q=0.5", "zh"),
        ("fr-FR,de;q=0.9", "en"),
        ("en;q=0.2,zh;q=0.8", "zh"),
        ("zh;q=abc,en", "en"),
        ("ZH-cn", "zh"),
    ],
)
def test_the_language_is_the_browsers_first_choice_among_ours(header: str, language: str) -> None:
    assert result_page.language(header) == language


@pytest.mark.parametrize(
    ("status", "decision", "outcome"),
    [
        (Status.OK, Decision.APPROVED, "verified"),
        (Status.OK, Decision.REJECTED, "not_verified"),
        (Status.CANCELLED, Decision.ABANDONED, "not_finished"),
        (Status.TIMEOUT, Decision.ABANDONED, "not_finished"),
        (Status.EXPIRED, Decision.ABANDONED, "not_finished"),
        (Status.FAILED, Decision.ERRORED, "try_again"),
        (Status.PROCESSING, None, "checking"),
        (Status.CREATED, None, "checking"),
    ],
)
def test_each_outcome_has_its_own_words_in_both_languages(
    status: Status, decision: Decision | None, outcome: str
) -> None:
    stored = verification(status, decision)
    for header, language in (("en", "en"), ("zh-CN", "zh")):
        html, said = result_page.render(stored, header)
        title, text = result_page.WORDS[outcome][language]
        assert said == language and f'data-outcome="{outcome}">{title}</h1><p>{text}</p>' in html
        assert f'<html lang="{language}">' in html and 'name="viewport"' in html
        # Nothing personal: no id, no biz_no, no reason
        assert "vrf_secret" not in html and "110101" not in html and "MISMATCH" not in html


def test_an_unknown_verification_asks_to_try_again() -> None:
    assert 'data-outcome="try_again"' in result_page.render(None, "en")[0]


def test_every_outcome_has_both_languages() -> None:
    assert all(set(words) == set(result_page.LANGUAGES) for words in result_page.WORDS.values())
    assert set(result_page.OUTCOMES.values()) | {"checking"} == set(result_page.WORDS)

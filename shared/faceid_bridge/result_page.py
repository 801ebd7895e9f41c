"""The built-in result page: where the user's browser ends when the verification has no
redirect_url. It tells the user what happened in plain words, in English or Chinese as the
browser asks (Accept-Language), and shows nothing personal: no id, no name, no score.

What it says comes from the stored verification, never from the query string (which anyone can
edit); it is still display only: the customer's service reads the decision from the API."""

from __future__ import annotations

from html import escape

from faceid_bridge.api import Response
from faceid_bridge.domain.decision import Decision
from faceid_bridge.domain.verification import Verification

LANGUAGES = ("en", "zh")
# (title, explanation) per outcome and language.
WORDS: dict[str, dict[str, tuple[str, str]]] = {
    "verified": {
        "en": ("Verified", "Your identity was verified. You can go back to the app."),
        "zh": ("验证通过", "您的身份已验证通过，可以返回应用继续操作。"),
    },
    "not_verified": {
        "en": ("Not verified", "We could not verify your identity."),
        "zh": ("验证未通过", "我们未能验证您的身份。"),
    },
    "not_finished": {
        "en": ("Cancelled or timed out", "The verification was not finished. You can start it again from the app."),
        "zh": ("已取消或已超时", "验证未完成，您可以在应用中重新开始。"),
    },
    "try_again": {
        "en": ("Please try again", "Something went wrong on our side. Please start the verification again."),
        "zh": ("请重试", "我们这边出现了问题，请重新开始验证。"),
    },
    "checking": {
        "en": ("Checking your result", "Your result is not ready yet. Go back to the app to see it."),
        "zh": ("正在确认结果", "结果尚未就绪，请返回应用查看。"),
    },
}
OUTCOMES = {
    Decision.APPROVED: "verified",
    Decision.REJECTED: "not_verified",
    Decision.ABANDONED: "not_finished",
    Decision.ERRORED: "try_again",
    Decision.CANCELLED: "not_finished",
}
PAGE = (
    '<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
    '<meta name="viewport" content="width=device-width, initial-scale=1">'
    "<title>{title}</title><style>"
    "body{{font-family:system-ui,-apple-system,'PingFang SC','Noto Sans CJK SC',sans-serif;margin:0;"
    "padding:3rem 1.5rem;text-align:center;color:#1f2933;background:#f7f9fb}}"
    "h1{{font-size:1.75rem;margin:0 0 1rem}}p{{font-size:1.125rem;line-height:1.6;max-width:30rem;margin:0 auto}}"
    '</style></head><body><main><h1 id="outcome" data-outcome="{outcome}">{title}</h1><p>{text}</p></main>'
    "</body></html>"
)


def language(accept_language: str) -> str:
    """The language the browser prefers most among ours (RFC 9110 q-values); English otherwise."""
    best, best_q = LANGUAGES[0], 0.0
    for part in accept_language.split(","):
        tag, _, parameters = part.strip().partition(";")
        q = 1.0
        name, _, value = parameters.strip().partition("=")
        if name.strip() == "q":
            try:
                q = float(value)
            except ValueError:
                continue
        primary = tag.strip().lower().split("-", 1)[0]
        if primary in LANGUAGES and q > best_q:
            best, best_q = primary, q
    return best


def outcome(verification: Verification | None) -> str:
    if verification is None:
        return "try_again"
    if verification.decision is None:
        return "checking"
    return OUTCOMES[verification.decision]


def render(verification: Verification | None, accept_language: str) -> tuple[str, str]:
    """The page's HTML and its language."""
    lang, key = language(accept_language), outcome(verification)
    title, text = WORDS[key][lang]
    return PAGE.format(lang=lang, title=escape(title), text=escape(text), outcome=key), lang


def response(verification: Verification | None, accept_language: str) -> Response[str]:
    """The page, in the language the browser asks for, not cached: it says the verification's state."""
    html, lang = render(verification, accept_language)
    headers = {"Content-Language": lang, "Vary": "Accept-Language", "Cache-Control": "no-store"}
    return Response(status_code=200, content_type="text/html; charset=utf-8", body=html, headers=headers)

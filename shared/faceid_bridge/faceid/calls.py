"""A FaceID API call as data. Each channel's contract builds the calls of its APIs (path, method,
parameters, how they are authenticated, the answer's model); the one FaceID adapter sends any of
them, so a channel's APIs live with the channel and the adapter never names one. Pure."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from pydantic import BaseModel

# (api_key, api_secret, now, nonce) -> the form fields that authenticate a call. `now` (epoch
# seconds) and `nonce` (random digits) come from the adapter, so that the contract stays pure.
Authenticate = Callable[[str, str, int, str], dict[str, str]]


def key_pair(api_key: str, api_secret: str, now: int, nonce: str) -> dict[str, str]:
    """The H5 APIs' authentication (000, 002, notes §2): the key pair itself, as two parameters."""
    return {"api_key": api_key, "api_secret": api_secret}


class FormOptions(Protocol):
    """A request's documented parameters: text fields, and images sent as files."""

    def form_fields(self) -> dict[str, str]: ...
    def files(self) -> dict[str, bytes]: ...


@dataclass(frozen=True)
class FaceIdCall[M: BaseModel]:
    path: str
    answer: type[M]
    fields: Mapping[str, str] = field(default_factory=dict)
    files: Mapping[str, bytes] = field(default_factory=dict)
    method: str = "POST"
    authenticate: Authenticate = key_pair

    @classmethod
    def of(
        cls, path: str, answer: type[M], options: FormOptions, *, authenticate: Authenticate = key_pair, **fields: str
    ) -> FaceIdCall[M]:
        """A form post of `options`' parameters and `fields`."""
        return cls(path, answer, {**options.form_fields(), **fields}, options.files(), authenticate=authenticate)

    def parameters(self, api_key: str, api_secret: str, now: int, nonce: str) -> dict[str, Any]:
        """Everything the call sends: its authentication, its fields, its files (as urllib3 takes them)."""
        files = {name: (name, content, "application/octet-stream") for name, content in self.files.items()}
        return {**self.authenticate(api_key, api_secret, now, nonce), **self.fields, **files}

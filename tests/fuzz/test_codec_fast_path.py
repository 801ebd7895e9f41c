"""The store's item codec, marshalled directly (codec.py: exact types first, a float's repr as its
decimal), gives exactly what boto3's TypeSerializer gives for the same values, and reads back what
was written, on generated values that reach every branch: the plain types of a model's JSON dump,
and what only the general path takes (None, bools, Decimals, str and int subclasses, tuples)."""

from __future__ import annotations

from decimal import Decimal
from enum import IntEnum, StrEnum
from typing import Any

from boto3.dynamodb.types import TypeSerializer
from hypothesis import example, given, settings
from hypothesis import strategies as st

from faceid_bridge.adapters.dynamodb.codec import _decimal_text, from_attributes, to_attributes

MANY = settings(max_examples=2000, deadline=None)


class Colour(StrEnum):
    RED = "red"


class Size(IntEnum):
    BIG = 7


# Numbers DynamoDB can hold (38 significant digits, exponents within -130..125): TypeSerializer
# refuses the others, and so does DynamoDB.
floats = st.floats(min_value=-1e100, max_value=1e100, allow_nan=False, allow_infinity=False).filter(
    lambda f: f == 0 or abs(f) > 1e-100
)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**37), 10**37),
    floats,
    st.decimals(allow_nan=False, allow_infinity=False, places=6, min_value=-(10**20), max_value=10**20),
    st.text(max_size=8),
    st.just(Colour.RED),
    st.just(Size.BIG),
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.lists(inner, max_size=3).map(tuple)
        | st.dictionaries(st.text(max_size=3), inner, max_size=3)
    ),
    max_leaves=12,
)


def as_boto3_takes_it(value: Any) -> Any:
    """The same value as TypeSerializer accepts it: its floats as the decimals the codec writes."""
    if type(value) is float:
        return Decimal(repr(value))
    if isinstance(value, list | tuple):
        return [as_boto3_takes_it(item) for item in value]
    if isinstance(value, dict):
        return {key: as_boto3_takes_it(item) for key, item in value.items()}
    return value


@MANY
@given(value=values)
@example(value={"confidence": 88.5, "threshold": 1e-05, "big": 1e16, "attack": False, "kind": Colour.RED})
def test_the_direct_marshalling_gives_what_typeserializer_gives(value: Any) -> None:
    # Given a value, When the codec marshals it
    marshalled = to_attributes({"field": value})["field"]
    # Then it is TypeSerializer's own output for the same value
    assert marshalled == TypeSerializer().serialize(as_boto3_takes_it(value))


@MANY
@given(number=st.floats(allow_nan=True, allow_infinity=True))
@example(number=1e-05)
@example(number=1e16)
@example(number=-0.0)
def test_a_floats_decimal_text_is_decimals_own(number: float) -> None:
    # Given any float, When written as a number, Then its text is Decimal's, the shortcut or not
    assert _decimal_text(number) == str(Decimal(repr(number)))


@MANY
@given(value=values)
def test_what_is_written_reads_back(value: Any) -> None:
    # Given a value, When written and read back
    read = from_attributes(to_attributes({"field": value}))["field"]

    # Then it is the value as JSON has it (numbers as int or float, sequences as lists)
    def plain(item: Any) -> Any:
        if isinstance(item, bool) or item is None or isinstance(item, str):
            return str(item) if isinstance(item, str) else item
        if isinstance(item, int | float | Decimal):
            text = str(item) if not isinstance(item, float) else _decimal_text(item)
            return int(text) if text.lstrip("-").isdigit() else float(text)
        if isinstance(item, list | tuple):
            return [plain(each) for each in item]
        return {key: plain(each) for key, each in item.items()}

    assert read == plain(value)

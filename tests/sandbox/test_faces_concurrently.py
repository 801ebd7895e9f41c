"""The sandbox's face detector answers the same under concurrent requests as alone: its server runs
a thread per request, and OpenCV's classifier, shared between threads, found two faces or none in a
photo of one (a chaos run's creations were refused NO_FACE_FOUND)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from infra.sandbox.faces import check_references
from tests.support import ROOT

FACES = ROOT / "tests" / "fixtures" / "faces"


def test_a_photo_of_one_face_passes_every_concurrent_check() -> None:
    # Given a photo of one face, and one of two checked beside it
    one, two = ((FACES / name).read_bytes() for name in ("one_face.jpg", "two_faces.jpg"))
    # When 16 threads check them, interleaved, 160 times
    with ThreadPoolExecutor(16) as pool:
        found = list(
            pool.map(
                lambda n: check_references(
                    {"image_ref1": one if n % 2 else two}, multi_oriented=True, fail_when_multiple=True
                ),
                range(160),
            )
        )
    # Then each check of one face passed, and each of two found two
    assert set(found[1::2]) == {None}
    assert set(found[0::2]) == {"MULTIPLE_FACES"}

"""Reference-photo checks of get_token (000), decided by a real face detector: OpenCV's Haar
cascade, offline and deterministic. Sandbox only: it never ships in the Lambda layer."""

from __future__ import annotations

import threading

import cv2
import numpy as np

MAX_SIDE_PX = 4096
_ROTATIONS = (cv2.ROTATE_90_CLOCKWISE, cv2.ROTATE_180, cv2.ROTATE_90_COUNTERCLOCKWISE)
_CASCADE = cv2.data.haarcascades + "haarcascade_frontalface_default.xml"  # type: ignore[attr-defined]
_per_thread = threading.local()


def _detector() -> cv2.CascadeClassifier:
    """This thread's classifier: one shared by the server's threads answers wrong under concurrent
    requests (a chaos run's get_token saw NO_FACE_FOUND for a photo of one face; 16 threads checking
    it found two faces in 181 of 1,000 checks and none in one)."""
    detector = getattr(_per_thread, "cascade", None)
    if detector is None:
        detector = _per_thread.cascade = cv2.CascadeClassifier(_CASCADE)
    return detector


def count_faces(image: np.ndarray, *, multi_oriented: bool) -> int:
    """Faces found upright; with multi_oriented_detection, also at 90, 180 and 270 degrees when
    none is found upright (000: "rotate ... for face detection if no face is detected")."""
    candidates = [image] + ([cv2.rotate(image, rotation) for rotation in _ROTATIONS] if multi_oriented else [])
    for candidate in candidates:
        gray = cv2.cvtColor(candidate, cv2.COLOR_BGR2GRAY)
        found = len(_detector().detectMultiScale(gray, scaleFactor=1.1, minNeighbors=5, minSize=(40, 40)))
        if found:
            return found
    return 0


def face_quality(image_bytes: bytes) -> int:
    """0-100 quality of the largest face, from its sharpness (variance of the Laplacian): a real,
    repeatable measure where FaceID's own model is not available. 0 when there is no face."""
    image = cv2.imdecode(np.frombuffer(image_bytes, np.uint8), cv2.IMREAD_COLOR)
    if image is None:
        return 0
    gray = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    faces = _detector().detectMultiScale(gray, scaleFactor=1.1, minNeighbors=5, minSize=(40, 40))
    if len(faces) == 0:
        return 0
    x, y, w, h = max(faces, key=lambda face: face[2] * face[3])
    return min(100, int(cv2.Laplacian(gray[y : y + h, x : x + w], cv2.CV_64F).var() / 10))


def check_references(
    images: dict[str, bytes],
    *,
    multi_oriented: bool,
    fail_when_multiple: bool,
    names: tuple[str, ...] = ("image_ref1", "image_ref2"),
    face_errors_name_the_image: bool = False,
) -> str | None:
    """FaceID's error for the first photo that fails, or None when all are usable. get_token (000)
    says NO_FACE_FOUND / MULTIPLE_FACES; raw/verify (002) and get_biz_token (003) add ":<param>"."""
    for name in names:
        if name not in images:
            continue
        image = cv2.imdecode(np.frombuffer(images[name], np.uint8), cv2.IMREAD_COLOR)
        if image is None:
            return f"IMAGE_ERROR_UNSUPPORTED_FORMAT:{name}"
        if max(image.shape[:2]) > MAX_SIDE_PX:
            return f"INVALID_IMAGE_SIZE:{name}"
        faces = count_faces(image, multi_oriented=multi_oriented)
        suffix = f":{name}" if face_errors_name_the_image else ""
        if faces == 0:
            return f"NO_FACE_FOUND{suffix}"
        if faces > 1 and fail_when_multiple:
            return f"MULTIPLE_FACES{suffix}"
    return None

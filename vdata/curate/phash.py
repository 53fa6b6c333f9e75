"""Perceptual hashes of stored keyframes: 32x32 grey thumbnails, a 64-bit DCT hash (pHash) and popcount.

`thumbnails` decodes JPEG keyframes at reduced size (PIL's JPEG draft mode: the decoder scales by 1/2, 1/4 or
1/8 in the DCT domain, so a 640x360 keyframe costs about a tenth of a full decode) and box-averages them to 32x32
grey levels (0-255). `phash` is the DCT hash of `imagehash.phash` (hash_size 8, the 8x8 lowest frequencies of the
32x32 DCT-II compared with their median, row-major, first coefficient as the top bit), computed for a whole batch
with two matrix products in numpy: no scipy, no per-frame Python loop. Robust to re-encoding, resizing and crops
of a few pixels (a few bits change); distinct content differs in about half of the 64 bits.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import numpy as np

#: Side of the grey thumbnail the hash is computed from (pixels).
THUMB = 32
#: Side of the low-frequency DCT block kept: HASH_SIDE ** 2 = 64 bits.
HASH_SIDE = 8
_N = np.arange(THUMB)
#: DCT-II basis rows k = 0..7 over 32 samples (unnormalised, as scipy's `dct(type=2)` up to one common factor).
_DCT = np.cos(np.pi * np.outer(np.arange(HASH_SIDE), 2 * _N + 1) / (2 * THUMB))  # [8, 32]
_WEIGHTS = (np.uint64(1) << np.arange(63, -1, -1, dtype=np.uint64)).astype(np.uint64)  # [64] top bit first
_POP8 = np.array([bin(i).count("1") for i in range(256)], dtype=np.uint8)


def thumbnails(jpegs: Sequence[bytes]) -> np.ndarray:
    """Grey 32x32 thumbnails of JPEG (or any PIL-readable) images, float32 [n, 32, 32] in 0-255. Raises
    `OSError` (PIL's `UnidentifiedImageError` included) for bytes that are not an image."""
    from PIL import Image

    out = np.empty((len(jpegs), THUMB, THUMB), np.float32)
    for i, data in enumerate(jpegs):
        with Image.open(io.BytesIO(data)) as im:
            im.draft("L", (THUMB * 2, THUMB * 2))
            out[i] = np.asarray(im.convert("L").resize((THUMB, THUMB), Image.Resampling.BOX), np.float32)
    return out


def phash(thumbs: np.ndarray) -> np.ndarray:
    """64-bit DCT hashes (uint64 [n]) of grey thumbnails [n, 32, 32].

    >>> thumbs = np.random.default_rng(0).uniform(0, 255, (1, 32, 32))
    >>> int(hamming(phash(thumbs), phash(thumbs * 0.5 + 20))[0])  # brightness and contrast do not matter
    0
    """
    low = np.einsum("kx,nxy,ly->nkl", _DCT, thumbs.astype(np.float64), _DCT).reshape(len(thumbs), -1)  # [n, 64]
    bits = low > np.median(low, axis=1, keepdims=True)
    return (bits.astype(np.uint64) * _WEIGHTS).sum(axis=1, dtype=np.uint64)


def popcount(values: np.ndarray) -> np.ndarray:
    """Number of set bits of each uint64 (uint8 array of the same shape): Hamming distance of `a ^ b`.

    >>> popcount(np.array([0, 7, 2**64 - 1], dtype=np.uint64)).tolist()
    [0, 3, 64]
    """
    values = np.ascontiguousarray(values, dtype=np.uint64)
    return _POP8[values.view(np.uint8)].reshape(*values.shape, 8).sum(axis=-1, dtype=np.uint8)


def hamming(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Bitwise Hamming distances (0-64) of uint64 arrays, elementwise."""
    return popcount(np.bitwise_xor(a, b))


def flat(thumbs: np.ndarray, min_std: float = 4.0) -> np.ndarray:
    """True for thumbnails with no structure to hash (grey-level standard deviation below `min_std`, 0-255):
    a black, white or single-colour frame, whose hash is noise and would match every other flat frame."""
    return thumbs.reshape(len(thumbs), -1).std(axis=1) < min_std

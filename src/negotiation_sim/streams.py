"""Reproducible random draws keyed by name, one stream per replicate.

A draw is a pure function of (replicate seed, day, the draw's name): a counter-based generator
in the spirit of Philox/SplitMix (Salmon et al. 2011; Steele et al. 2014), vectorised across
replicates with numpy. The name enters through a stable 64-bit hash (BLAKE2b), as starsim keys
its random streams, so:

- a replicate run alone is bit-identical to the same replicate inside any batch, in any order;
- adding, removing or reordering a draw anywhere (a new actor, a new rule, a user's subclass)
  leaves every other draw bit-identical;
- a draw is made whether or not the decision it serves is taken, so skipping a decision in one
  replicate never shifts another draw.

Each day the model computes the draws its actors declare in one vectorised block (`Actor.draws`);
a name nobody declared is computed on first use that day, with the same values.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

import numpy as np

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_S30, _S27, _S31, _S11 = np.uint64(30), np.uint64(27), np.uint64(31), np.uint64(11)
_TO_UNIT = 2.0**-53
_BLOCK_DAYS = 512


def _mix(x: np.ndarray) -> np.ndarray:
    """SplitMix64's finaliser: a bijective avalanche of 64-bit words (wrapping arithmetic)."""
    with np.errstate(over="ignore"):
        x = (x ^ (x >> _S30)) * _M1
        x = (x ^ (x >> _S27)) * _M2
        return x ^ (x >> _S31)


def name_key(name: str) -> np.uint64:
    """The stable 64-bit key of a draw's name: the first 8 bytes of its BLAKE2b digest."""
    digest = hashlib.blake2b(name.encode("utf-8"), digest_size=8).digest()
    return np.uint64(int.from_bytes(digest, "little"))


def replicate_seeds(seed: int, replicates: int) -> np.ndarray:
    """Derive ``replicates`` replicate seeds from one model seed, deterministically.

    The first k seeds do not depend on how many are asked for, so replicate i of seed s is the
    same replicate in a batch of 10 or of 10,000. Seeds are non-negative 63-bit integers.
    """
    state = np.random.SeedSequence(seed).generate_state(replicates, dtype=np.uint64)
    return (state >> np.uint64(1)).astype(np.int64)


def _counters(days: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """The mixed counter of each (day, name): shape (days, names); a name's counters do not
    depend on which other names are asked for."""
    with np.errstate(over="ignore"):
        day_part = _mix((days.astype(np.uint64) + np.uint64(1)) * _GOLDEN)
    return _mix(day_part[:, None] ^ keys[None, :])


class Streams:
    """Uniform draws in (0, 1) for a batch of replicates, each a pure function of
    (replicate seed, day, name).

    Args:
        seeds: the replicates' seeds (non-negative 63-bit integers).
        names: the draws computed together each day (others are computed on first use).
    """

    def __init__(self, seeds: np.ndarray, names: Iterable[str] = ()) -> None:
        seeds = np.asarray(seeds, dtype=np.int64)
        self.seeds = seeds
        with np.errstate(over="ignore"):
            self._keys = _mix(seeds.astype(np.uint64) * _GOLDEN + _GOLDEN)
        self.names: tuple[str, ...] = tuple(dict.fromkeys(names))
        self._row = {name: row for row, name in enumerate(self.names)}
        self._name_keys = np.array([name_key(n) for n in self.names], dtype=np.uint64)
        self._block: tuple[int, np.ndarray] | None = None
        # Reused every day: fresh multi-megabyte arrays cost page faults in large batches.
        shape = (len(self.names), seeds.size)
        self._bits = np.empty(shape, dtype=np.uint64)
        self._shifted = np.empty_like(self._bits)
        self._uniforms = np.empty(shape)
        self._extra: dict[str, np.ndarray] = {}
        self.today = -1

    def _day_counters(self, day: int) -> np.ndarray:
        """The mixed counters of the declared names on ``day``, computed a block of days at a
        time."""
        block, offset = divmod(day, _BLOCK_DAYS)
        if self._block is None or self._block[0] != block:
            days = np.arange(block * _BLOCK_DAYS, (block + 1) * _BLOCK_DAYS)
            self._block = (block, _counters(days, self._name_keys))
        return self._block[1][offset]

    def start_day(self, day: int) -> None:
        """Compute the declared draws of ``day``; `draw` returns them until the next call."""
        self.today = int(day)
        self._extra = {}
        if not self.names:
            return
        bits, shifted = self._bits, self._shifted
        with np.errstate(over="ignore"):
            np.bitwise_xor(self._day_counters(self.today)[:, None], self._keys[None, :], out=bits)
            # SplitMix64's finaliser, in place (the same steps as `_mix`).
            for shift, multiplier in ((_S30, _M1), (_S27, _M2)):
                np.right_shift(bits, shift, out=shifted)
                bits ^= shifted
                bits *= multiplier
            np.right_shift(bits, _S31, out=shifted)
            bits ^= shifted
        _to_unit(bits, shifted, self._uniforms)

    def draw(self, name: str) -> np.ndarray:
        """Today's uniforms of the draw ``name``, one per replicate (read-only; reused)."""
        row = self._row.get(name)
        if row is not None:
            return self._uniforms[row]
        if name not in self._extra:
            self._extra[name] = uniforms(self.seeds, self.today, name, keys=self._keys)
        return self._extra[name]


def _to_unit(bits: np.ndarray, scratch: np.ndarray, out: np.ndarray) -> None:
    """The top 53 bits of each word as a float in (0, 1): never exactly 0 or 1."""
    np.right_shift(bits, _S11, out=scratch)
    out[...] = scratch
    out += 0.5
    out *= _TO_UNIT


def uniforms(
    seeds: np.ndarray, day: int, name: str, *, keys: np.ndarray | None = None
) -> np.ndarray:
    """The draw ``name`` of ``day`` for replicates with these ``seeds``: the same values the
    model's streams give, computed alone (for tests, checks and one-off draws)."""
    if keys is None:
        seeds = np.asarray(seeds, dtype=np.int64)
        with np.errstate(over="ignore"):
            keys = _mix(seeds.astype(np.uint64) * _GOLDEN + _GOLDEN)
    counter = _counters(np.array([day]), np.array([name_key(name)], dtype=np.uint64))[0, 0]
    bits = _mix(keys ^ counter)
    out = np.empty(bits.shape)
    _to_unit(bits, np.empty_like(bits), out)
    out.flags.writeable = False
    return out

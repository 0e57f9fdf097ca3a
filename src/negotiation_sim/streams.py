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

The model computes the draws its actors declare (`Actor.draws`) in one vectorised block, for
two days at a time; a name nobody declared is computed on first use that day, with the same
values. In full, with SplitMix64's finaliser ``mix`` and wrapping 64-bit arithmetic::

    key(name)     = BLAKE2b(name) with an 8-byte digest, read as a little-endian integer
    counter       = mix(mix((day // 2 + 1) * G) XOR key(name))      G = 0x9E3779B97F4A7C15
    replicate_key = mix(seed * G + G)
    word          = mix(counter XOR replicate_key)
    bits          = word >> 32 on an even day, word AND 0xFFFFFFFF on an odd one
    draw          = (bits + 0.5) / 2**32

``tests/test_streams.py`` restates this in plain Python and pins a few values.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

import numpy as np

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_S30, _S27, _S31 = np.uint64(30), np.uint64(27), np.uint64(31)
_S20, _S32 = np.uint64(20), np.uint64(32)
_LOW32 = np.uint64(0xFFFFFFFF)
#: The bits of 1.0 as an IEEE 754 double: OR-ed with random mantissa bits, a float in [1, 2).
_ONE_BITS = np.uint64(0x3FF0000000000000)
#: Subtracted from [1, 2): 32-bit draws in (0, 1), half a step above 0 and below 1.
_OFFSET = 1.0 - 2.0**-33
#: Days whose counters are mixed together (a block of this many day pairs).
_BLOCK_PAIRS = 256


def _mix(x: np.ndarray) -> np.ndarray:
    """SplitMix64's finaliser: a bijective avalanche of 64-bit words (wrapping arithmetic)."""
    with np.errstate(over="ignore"):
        x = (x ^ (x >> _S30)) * _M1
        x = (x ^ (x >> _S27)) * _M2
        return x ^ (x >> _S31)


def name_key(name: str) -> np.uint64:
    """The stable 64-bit key of a draw's name: its BLAKE2b hash with an 8-byte digest (not a
    prefix of the 64-byte digest), as a little-endian integer."""
    digest = hashlib.blake2b(name.encode("utf-8"), digest_size=8).digest()
    return np.uint64(int.from_bytes(digest, "little"))


def replicate_seeds(seed: int, replicates: int) -> np.ndarray:
    """Derive ``replicates`` replicate seeds from one model seed, deterministically.

    The first k seeds do not depend on how many are asked for, so replicate i of seed s is the
    same replicate in a batch of 10 or of 10,000. Seeds are non-negative 63-bit integers.
    """
    state = np.random.SeedSequence(seed).generate_state(replicates, dtype=np.uint64)
    return (state >> np.uint64(1)).astype(np.int64)


def _counters(pairs: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """The mixed counter of each (pair of days, name): shape (pairs, names); a name's
    counters do not depend on which other names are asked for."""
    with np.errstate(over="ignore"):
        pair_part = _mix((pairs.astype(np.uint64) + np.uint64(1)) * _GOLDEN)
    return _mix(pair_part[:, None] ^ keys[None, :])


class Streams:
    """Uniform draws in (0, 1) for a batch of replicates, each a pure function of
    (replicate seed, day, name).

    One 64-bit hash per replicate, name and pair of days gives both days' draws (its high 32
    bits on the even day, its low 32 bits on the odd one), so the hashing is done every other
    day.

    Args:
        seeds: the replicates' seeds (non-negative 63-bit integers).
        names: the draws computed together each day (others are computed on first use).
    """

    def __init__(self, seeds: np.ndarray, names: Iterable[str] = ()) -> None:
        seeds = np.asarray(seeds, dtype=np.int64)
        self.seeds = seeds
        self._keys = _replicate_keys(seeds)
        self.names: tuple[str, ...] = tuple(dict.fromkeys(names))
        self._row = {name: row for row, name in enumerate(self.names)}
        self._name_keys = np.array([name_key(n) for n in self.names], dtype=np.uint64)
        self._block: tuple[int, np.ndarray] | None = None
        # Reused: fresh multi-megabyte arrays cost page faults in large batches.
        shape = (len(self.names), seeds.size)
        self._bits = np.empty(shape, dtype=np.uint64)
        self._scratch = np.empty_like(self._bits)
        # After hashing, the two arrays hold the pair's draws: the even day's, the odd day's.
        self._pair_draws = (self._bits.view(np.float64), self._scratch.view(np.float64))
        self._pair = -1
        self._uniforms = self._pair_draws[0]
        self._extra: dict[str, np.ndarray] = {}
        self.today = -1

    def _pair_counters(self, pair: int) -> np.ndarray:
        """The mixed counters of the declared names for a pair of days, computed a block of
        pairs at a time."""
        block, offset = divmod(pair, _BLOCK_PAIRS)
        if self._block is None or self._block[0] != block:
            pairs = np.arange(block * _BLOCK_PAIRS, (block + 1) * _BLOCK_PAIRS)
            self._block = (block, _counters(pairs, self._name_keys))
        return self._block[1][offset]

    def start_day(self, day: int) -> None:
        """Make the declared draws of ``day`` current; `draw` returns them until the next call."""
        self.today = int(day)
        self._extra = {}
        if not self.names:
            return
        pair, odd = divmod(self.today, 2)
        if pair != self._pair:
            self._hash_pair(pair)
        self._uniforms = self._pair_draws[odd]

    def _hash_pair(self, pair: int) -> None:
        """Hash the declared names for both days of ``pair`` and turn both halves into floats."""
        bits, scratch = self._bits, self._scratch
        with np.errstate(over="ignore"):
            np.bitwise_xor(self._pair_counters(pair)[:, None], self._keys[None, :], out=bits)
            # SplitMix64's finaliser, in place (the same steps as `_mix`).
            for shift, multiplier in ((_S30, _M1), (_S27, _M2)):
                np.right_shift(bits, shift, out=scratch)
                bits ^= scratch
                bits *= multiplier
            np.right_shift(bits, _S31, out=scratch)
            bits ^= scratch
        np.bitwise_and(bits, _LOW32, out=scratch)  # the odd day's 32 bits
        bits >>= _S32  # the even day's
        _to_unit(bits)
        _to_unit(scratch)
        self._pair = pair

    def draw(self, name: str) -> np.ndarray:
        """Today's uniforms of the draw ``name``, one per replicate (read-only; reused)."""
        row = self._row.get(name)
        if row is not None:
            return self._uniforms[row]
        if name not in self._extra:
            self._extra[name] = uniforms(self.seeds, self.today, name, keys=self._keys)
        return self._extra[name]


def _replicate_keys(seeds: np.ndarray) -> np.ndarray:
    with np.errstate(over="ignore"):
        return _mix(np.asarray(seeds, dtype=np.int64).astype(np.uint64) * _GOLDEN + _GOLDEN)


def _to_unit(words: np.ndarray) -> np.ndarray:
    """32 random bits per word (the low 32) as floats in (0, 1), never exactly 0 or 1, in
    place (returned viewed as float64): the bits become the top of the mantissa of a number
    in [1, 2), which avoids converting integers to floats."""
    words <<= _S20
    words |= _ONE_BITS
    floats = words.view(np.float64)
    floats -= _OFFSET
    return floats


def uniforms(
    seeds: np.ndarray, day: int, name: str, *, keys: np.ndarray | None = None
) -> np.ndarray:
    """The draw ``name`` of ``day`` for replicates with these ``seeds``: the same values the
    model's streams give, computed alone (for tests, checks and one-off draws)."""
    keys = _replicate_keys(seeds) if keys is None else keys
    pair, odd = divmod(int(day), 2)
    counter = _counters(np.array([pair]), np.array([name_key(name)], dtype=np.uint64))[0, 0]
    bits = _mix(keys ^ counter)
    words = bits & _LOW32 if odd else bits >> _S32
    out = _to_unit(words)
    out.flags.writeable = False
    return out

"""Reproducible random streams, one per replicate, keyed by the replicate's seed.

A draw is a pure function of (replicate seed, day, slot): a counter-based generator in the
spirit of Philox/SplitMix (Salmon et al. 2011; Steele et al. 2014), vectorised across
replicates with numpy. Replicate i's draws therefore do not depend on which other replicates
share its batch, their order, or how a sweep is chunked: a replicate run alone is bit-identical
to the same replicate inside any batch.

Each day the model asks for one block of uniforms with a fixed slot for every decision
(`Slot`), drawn whether or not the decision is taken, so adding replicates or skipping a
decision never shifts another draw.
"""

from __future__ import annotations

from enum import IntEnum

import numpy as np

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_S30, _S27, _S31, _S32 = np.uint64(30), np.uint64(27), np.uint64(31), np.uint64(32)
_LOW32 = np.uint64(0xFFFFFFFF)
_TO_UNIT = 2.0**-32


class Slot(IntEnum):
    """One uniform per replicate per day for each of these decisions."""

    PY_LAUNCH = 0
    PY_CLASS = 1
    PY_SALVO = 2
    PY_NUCLEAR = 3
    PY_PLEDGE = 4
    PY_ACCEPT = 5
    PY_CONTACT_DIRECT = 6
    PY_CONTACT_UN = 7
    PY_CONTACT_INTERMEDIARY = 8
    PY_WALKOUT = 9
    PY_COLLAPSE = 10
    PY_SUMMIT = 11
    PY_CONTACT_LAPSE = 12
    US_SANCTION = 13
    US_THREAT = 14
    US_REASSURE = 15
    US_INITIATIVE = 16
    US_MIXED = 17
    US_BLESS = 18
    US_NOISE = 19
    CN_ENVOY = 20
    CN_ENVOY_SUCCESS = 21
    CN_VETO = 22
    RU_INTERMEDIARY = 23
    RU_VETO = 24
    UN_PROPOSAL = 25
    UN_ENVOY = 26
    UN_DRAFT = 27
    UN_DELAY = 28
    WORLD_CRISIS = 29


N_SLOTS = len(Slot)
_N_WORDS = (N_SLOTS + 1) // 2  # one 64-bit hash gives two 32-bit uniforms
_BLOCK_DAYS = 512


def _mix(x: np.ndarray) -> np.ndarray:
    """SplitMix64's finaliser: a bijective avalanche of 64-bit words (wrapping arithmetic)."""
    x = (x ^ (x >> _S30)) * _M1
    x = (x ^ (x >> _S27)) * _M2
    return x ^ (x >> _S31)


def replicate_seeds(seed: int, replicates: int) -> np.ndarray:
    """Derive ``replicates`` replicate seeds from one model seed, deterministically.

    The first k seeds do not depend on how many are asked for, so replicate i of seed s is the
    same replicate in a batch of 10 or of 10,000. Seeds are non-negative 63-bit integers.
    """
    state = np.random.SeedSequence(seed).generate_state(replicates, dtype=np.uint64)
    return (state >> np.uint64(1)).astype(np.int64)


class Streams:
    """Uniform draws for a batch of replicates, each a pure function of (seed, day, slot)."""

    def __init__(self, seeds: np.ndarray) -> None:
        seeds = np.asarray(seeds, dtype=np.int64)
        self.seeds = seeds
        with np.errstate(over="ignore"):
            self._keys = _mix(seeds.astype(np.uint64) * _GOLDEN + _GOLDEN)
        self._word = np.arange(_N_WORDS, dtype=np.uint64)
        self._bits = np.empty((_N_WORDS, seeds.size), dtype=np.uint64)
        self._counters: dict[int, np.ndarray] = {}
        # Reused every day: fresh multi-megabyte arrays cost page faults in large batches.
        self._uniforms = np.empty((2 * _N_WORDS, seeds.size))
        self._shifted = np.empty_like(self._bits)

    def _counter(self, day: int) -> np.ndarray:
        """The mixed counters of ``day``'s words, computed for blocks of days at a time."""
        block, offset = divmod(day, _BLOCK_DAYS)
        if block not in self._counters:
            days = np.arange(block * _BLOCK_DAYS, (block + 1) * _BLOCK_DAYS, dtype=np.uint64)
            with np.errstate(over="ignore"):
                self._counters = {
                    block: _mix(days[:, None] * np.uint64(_N_WORDS) + self._word[None, :] + _GOLDEN)
                }
        return self._counters[block][offset]

    def day(self, day: int) -> np.ndarray:
        """Return the uniforms in (0, 1) of ``day``, shape (N_SLOTS, replicates).

        The array is reused: it holds ``day``'s draws until the next call.
        """
        bits, shifted = self._bits, self._shifted
        with np.errstate(over="ignore"):
            np.bitwise_xor(self._counter(day)[:, None], self._keys[None, :], out=bits)
            # SplitMix64's finaliser, in place (the same steps as `_mix`).
            for shift, multiplier in ((_S30, _M1), (_S27, _M2)):
                np.right_shift(bits, shift, out=shifted)
                bits ^= shifted
                bits *= multiplier
            np.right_shift(bits, _S31, out=shifted)
            bits ^= shifted
        uniforms = self._uniforms
        np.right_shift(bits, _S32, out=shifted)
        uniforms[:_N_WORDS] = shifted
        np.bitwise_and(bits, _LOW32, out=shifted)
        uniforms[_N_WORDS:] = shifted
        uniforms += 0.5
        uniforms *= _TO_UNIT
        return uniforms[:N_SLOTS]

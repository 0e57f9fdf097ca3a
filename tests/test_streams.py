"""Random draws keyed by name: pinned values, independence from other draws, batch invariance."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import negotiation_sim as ns
from negotiation_sim.streams import Streams, name_key, uniforms

# (replicate seed, day, draw name) -> value. These pin the generator: a change to how draws are
# computed (the hash of a name, the mixing, the conversion to a float) fails here first.
PINNED = [
    (0, 0, "pyongyang.launch", 0.741809788509272),
    (0, 1, "pyongyang.launch", 0.9583960609743372),
    (12345, 0, "washington.sanction", 0.16864002461079508),
    (12345, 364, "world.crisis", 0.023656024946831167),
    (2**63 - 1, 1000, "beijing.veto", 0.8167990025831386),
    (7, 36499, "my_rule", 0.00913462124299258),
]
MASK = 2**64 - 1
GOLDEN = 0x9E3779B97F4A7C15


def _mix(x: int) -> int:
    """SplitMix64's finaliser on Python integers: an independent statement of the generator."""
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & MASK
    return x ^ (x >> 31)


def reference_draw(seed: int, day: int, name: str) -> float:
    """The documented formula (`negotiation_sim.streams`, docs/ODD.md 4.9) in plain Python."""
    key = int.from_bytes(hashlib.blake2b(name.encode(), digest_size=8).digest(), "little")
    counter = _mix(_mix(((day // 2 + 1) * GOLDEN) & MASK) ^ key)
    replicate = _mix((seed * GOLDEN + GOLDEN) & MASK)
    word = _mix(counter ^ replicate)
    bits = word & 0xFFFFFFFF if day % 2 else word >> 32
    return (bits + 0.5) * 2.0**-32


@pytest.mark.parametrize("seed, day, name, value", PINNED)
def test_pinned_draws(seed, day, name, value):
    assert uniforms([seed], day, name)[0] == value


@settings(max_examples=200, deadline=None)
@given(
    seed=st.integers(0, 2**63 - 1),
    day=st.integers(0, 36_499),
    name=st.text(min_size=1, max_size=30),
)
def test_draws_follow_the_documented_formula(seed, day, name):
    # The key is BLAKE2b with an 8-byte digest, little-endian: nothing in Python's session
    # (hash randomisation) or the platform changes it.
    digest = hashlib.blake2b(name.encode(), digest_size=8).digest()
    assert int(name_key(name)) == int.from_bytes(digest, "little")
    assert uniforms([seed], day, name)[0] == reference_draw(seed, day, name)


@settings(max_examples=40, deadline=None)
@given(
    seeds=st.lists(st.integers(0, 2**63 - 1), min_size=1, max_size=6, unique=True),
    day=st.integers(0, 36_499),
    names=st.lists(st.text(min_size=1, max_size=12), min_size=1, max_size=6, unique=True),
    extra=st.lists(st.text(min_size=1, max_size=12), max_size=4),
)
def test_a_draw_depends_only_on_seed_day_and_name(seeds, day, names, extra):
    """Declaring other names, in any order, or none, leaves a draw bit-identical."""
    declared = Streams(np.array(seeds), names)
    others = Streams(np.array(seeds[::-1]), [*extra, *names[::-1]])
    undeclared = Streams(np.array(seeds), ())
    for streams in (declared, others, undeclared):
        streams.start_day(day)
    for name in names:
        expected = uniforms(seeds, day, name)
        assert np.array_equal(declared.draw(name), expected)
        assert np.array_equal(others.draw(name)[::-1], expected)
        assert np.array_equal(undeclared.draw(name), expected)
        assert ((expected > 0) & (expected < 1)).all()


def test_draws_are_uniform():
    u = uniforms(np.arange(200_000), 5, "pyongyang.launch")
    assert abs(u.mean() - 0.5) < 0.003
    counts, _ = np.histogram(u, bins=20, range=(0, 1))
    assert counts.min() > 9_400 and counts.max() < 10_600
    # Two names on the same day are uncorrelated.
    v = uniforms(np.arange(200_000), 5, "pyongyang.class")
    assert abs(np.corrcoef(u, v)[0, 1]) < 0.01


class CuriousBeijing(ns.Beijing):
    """Makes a draw of its own every day and never uses it."""

    draws = (*ns.Beijing.draws, "curiosity")

    def step(self) -> None:
        self.curiosity = self.draw("curiosity")
        self.undeclared = self.draw("undeclared_curiosity")
        super().step()


def test_adding_a_draw_leaves_every_outcome_unchanged():
    base = ns.run("no-preconditions-2022", 300, seed=11, record_daily=False)
    curious = ns.run(
        "no-preconditions-2022",
        300,
        seed=11,
        record_daily=False,
        actors={"beijing": CuriousBeijing},
    )
    assert curious.beijing.curiosity.shape == (300,)
    assert base.outcomes.equals(curious.outcomes)
    assert base.events(4).equals(curious.events(4))


def test_a_subclass_draw_is_its_own():
    model = ns.run("pressure-2017", 50, seed=2, days=3, actors={"beijing": CuriousBeijing})
    expected = uniforms(model.seeds, 2, "beijing.curiosity")
    assert np.array_equal(model.beijing.curiosity, expected)
    assert np.array_equal(
        model.beijing.undeclared, uniforms(model.seeds, 2, "beijing.undeclared_curiosity")
    )

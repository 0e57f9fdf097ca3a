"""One error hierarchy: every error the package raises on purpose is a NegotiationSimError, each
kind of problem has its class, and the command line reports each as one line."""

from __future__ import annotations

import socket

import pytest
from conftest import write_spec_file

import negotiation_sim as ns
from negotiation_sim import cli
from negotiation_sim import sweeps as sw
from negotiation_sim.errors import (
    ModelArgumentError,
    NegotiationSimError,
    PortError,
    ScenarioError,
    StoreError,
    allowed_text,
    check_integer,
    check_value,
)
from negotiation_sim.parameters import REGISTRY
from negotiation_sim.scenarios import INITIAL_STATE
from negotiation_sim.store import SweepStore

ERRORS = (
    "ScenarioError",
    "ModelArgumentError",
    "StoreError",
    "PortError",
    "ChunksFailed",
    "SweepFailed",
)


@pytest.mark.parametrize("name", ERRORS)
def test_every_error_class_is_a_negotiation_sim_error_exported_by_the_package(name):
    error = getattr(ns, name)
    assert issubclass(error, ns.NegotiationSimError) and name in ns.__all__
    assert ns.NegotiationSimError is NegotiationSimError and "NegotiationSimError" in ns.__all__


def test_the_old_bases_still_catch_them():
    assert issubclass(ScenarioError, ValueError)
    for error in (ModelArgumentError, StoreError, PortError):
        assert issubclass(error, ScenarioError)  # same (source, key, value, allowed) shape
    assert issubclass(ns.SweepFailed, ns.ChunksFailed) and issubclass(ns.SweepFailed, RuntimeError)


def test_check_integer_raises_the_class_asked_for_with_the_same_message():
    with pytest.raises(ScenarioError) as plain:
        check_integer("<model>", "replicates", 0, 1)
    with pytest.raises(ModelArgumentError) as specific:
        check_integer("<model>", "replicates", 0, 1, error=ModelArgumentError)
    assert type(plain.value) is ScenarioError
    assert (
        str(specific.value)
        == str(plain.value)
        == "<model>: replicates = 0: allowed: an integer >= 1"
    )


@pytest.mark.parametrize(
    "arguments, key",
    [
        ({"replicates": 0}, "replicates"),
        ({"seed": -1}, "seed"),
        ({"seeds": []}, "seeds"),
        ({"actors": {"tokyo": ns.Washington}}, "actors"),
    ],
)
def test_a_bad_model_argument_is_named(arguments, key):
    with pytest.raises(ModelArgumentError) as info:
        ns.NegotiationModel(**arguments)
    assert (info.value.source, info.value.key) == ("<model>", key)
    with pytest.raises(ModelArgumentError):
        ns.run("pressure-2017", days=-1)


SPEC = {"scenario": "pressure-2017", "space": {"pyongyang.salvo": [1, 2]}, "replicates": 2}


def test_store_problems_are_store_errors(tmp_path):
    path = tmp_path / "s.sqlite"
    SweepStore.open(path, SPEC).close()
    with pytest.raises(StoreError, match="resume=True"):  # reused without resume
        SweepStore.open(path, SPEC)
    with pytest.raises(StoreError) as info:  # another sweep
        SweepStore.open(path, {**SPEC, "replicates": 3}, resume=True)
    assert (info.value.source, info.value.key, info.value.value) == (str(path), "replicates", 3)
    assert "stored specification's value 2" in info.value.allowed
    text = tmp_path / "notes.txt"
    text.write_text("not a database " * 100)
    with pytest.raises(StoreError, match="sweep store"):
        SweepStore.open(text, SPEC, resume=True)
    with pytest.raises(StoreError, match="existing folder"):
        SweepStore.open(tmp_path / "missing" / "s.sqlite", SPEC)


def test_a_store_mismatch_exits_2_with_one_line(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(sw, "run_points", lambda task, points: pytest.fail("a sweep ran"))
    fields = {"scenario": '"pressure-2017"', "replicates": 2, "seed": 5, "design": '"lhs"'}
    spec = write_spec_file(tmp_path / "spec.toml", {**fields, "points": 4, "days": 20})
    store = tmp_path / "s.sqlite"
    SweepStore.open(store, sw.load_spec(spec).to_dict()).close()
    other = write_spec_file(tmp_path / "other.toml", {**fields, "points": 4, "days": 30})
    args = ["sweep", str(other), "--store", str(store), "--resume", "--backend", "serial"]
    assert cli.main(args) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err, err
    assert str(store) in err and "days = 30" in err and "stored specification's value 20" in err


def test_a_port_in_use_is_a_port_error():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(PortError, match=f"--port = {port}"):
            cli._check_address("127.0.0.1", port)


def test_parameters_and_initial_state_share_one_check_and_one_wording():
    entry = REGISTRY["washington.pause_days"]
    assert entry.range_text() == allowed_text("integer", 7, 180) == "an integer in [7, 180]"
    assert entry.allowed() == "allowed: an integer in [7, 180] (days)"
    with pytest.raises(ScenarioError) as info:
        entry.validate(7.5)
    assert info.value.allowed == entry.allowed()
    field = INITIAL_STATE["days_since_test"]
    with pytest.raises(ScenarioError) as info:
        field.validate(7.5, "<test>")
    assert info.value.key == "initial.days_since_test"
    assert info.value.allowed == "allowed: " + field.range_text()
    assert check_value("<test>", "x", 3.0, "integer", 0, 5) == 3
    assert check_value("<test>", "x", True, "flag") is True
    for value, kind in ((True, "real"), (float("nan"), "real"), ("no", "flag"), ("x", "choice")):
        with pytest.raises(ScenarioError):
            check_value("<test>", "x", value, kind, 0, 1, choices=("a",))

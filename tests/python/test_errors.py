# SPDX-License-Identifier: MIT
"""C++ exceptions arrive as hebllm's Python exception classes carrying the C++ message (the
same text the CLI prints after 'hebllm: error: ')."""

import subprocess
import threading
import _thread

import numpy as np
import pytest

import hebllm
from conftest import SEED_CONFIG, small_network


def cli_error(cli, *args):
    done = subprocess.run([cli.exe, *map(str, args)], capture_output=True, text=True)
    assert done.returncode == 2, (done.returncode, done.stderr)
    line = done.stderr.strip().splitlines()[-1]
    assert line.startswith("hebllm: error: "), line
    return line[len("hebllm: error: "):]


def test_hierarchy():
    assert issubclass(hebllm.Error, RuntimeError)
    assert issubclass(hebllm.ModelError, hebllm.Error)
    assert issubclass(hebllm.ModelError, ValueError)
    assert issubclass(hebllm.CapacityError, hebllm.ModelError)
    for cls in (hebllm.FileError, hebllm.BackendError, hebllm.InternalError):
        assert issubclass(cls, hebllm.Error)
    assert hebllm.FileError.__module__ == "hebllm"


def test_model_error_carries_cpp_message():
    # network_spec::validate()'s message (src/core/network.cpp), unchanged.
    with pytest.raises(hebllm.ModelError) as info:
        hebllm.make_engine(hebllm.make_hebsnn(20, 50, 10, 20, 1.5))
    assert str(info.value) == (
        "projection 0 ('sensory' -> 'associative'): density must be in [0, 1], got 1.5")


def test_backend_error_same_message_as_cli(cli):
    expected = cli_error(cli, "simulate", "--config", SEED_CONFIG, "--backend", "nope")
    with pytest.raises(hebllm.BackendError) as info:
        hebllm.make_engine(hebllm.load_config(SEED_CONFIG), backend="nope")
    assert str(info.value) == expected


def test_file_error_carries_file_and_line(cli, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[simulation]\ndt_ms = 1.0\ntau_mm = 3\n")
    expected = cli_error(cli, "simulate", "--config", bad)
    with pytest.raises(hebllm.FileError) as info:
        hebllm.load_config(bad)
    assert str(info.value) == expected
    assert info.value.file == str(bad)
    assert info.value.line == 3
    assert str(info.value).startswith(f"{bad}:3: ")


def test_missing_file():
    with pytest.raises(hebllm.FileError) as info:
        hebllm.load_config("/nonexistent/net.toml")
    assert info.value.file == "/nonexistent/net.toml" and info.value.line == 0
    with pytest.raises(hebllm.FileError):
        hebllm.load("/nonexistent/run.heb")


def test_corrupt_checkpoint(tmp_path):
    engine = hebllm.make_engine(small_network())
    engine.run(5.0)
    path = tmp_path / "a.heb"
    engine.save(path)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(hebllm.FileError, match="a.heb"):
        hebllm.load(path)


def test_run_arguments():
    engine = hebllm.make_engine(small_network())
    with pytest.raises(hebllm.ModelError, match="duration_ms must be a finite number >= 0"):
        engine.run(-1.0)
    with pytest.raises(hebllm.ModelError, match="neuron id 5000 is outside the network"):
        engine.run(3.0, lambda t: [5000])
    with pytest.raises(hebllm.ModelError, match="neuron id -1"):
        engine.run(3.0, lambda t: [-1])
    with pytest.raises(TypeError, match="integer neuron ids"):
        engine.run(3.0, lambda t: np.ones(3))
    with pytest.raises(hebllm.ModelError, match="one entry per neuron"):
        engine.run(3.0, lambda t: np.ones(3, dtype=bool))
    with pytest.raises(hebllm.ModelError, match="kind must be"):
        engine.add_stimulus("sine", 0, 1, 0.0, 1.0)


def test_input_fn_exception_propagates():
    engine = hebllm.make_engine(small_network())

    class Boom(Exception):
        pass

    def fn(t):
        if t >= 4.0:
            raise Boom("at 4 ms")
        return [0]

    with pytest.raises(Boom, match="at 4 ms"):
        engine.run(10.0, fn)
    assert engine.current_step == 4  # steps 0-3 ran; the engine stays usable
    engine.run(1.0)


def test_ctrl_c_interrupts_a_long_run():
    """A run with the GIL released is stopped by KeyboardInterrupt (here _thread.interrupt_main
    from another thread, which needs the GIL released to run at all)."""
    engine = hebllm.make_engine(hebllm.make_hebsnn(200, 1000, 200, 200, 0.1), record_spikes=False)
    engine.run(200.0)  # warm
    timer = threading.Timer(0.3, _thread.interrupt_main)
    timer.start()
    with pytest.raises(KeyboardInterrupt):
        engine.run(1e8)  # 1e8 steps: hours, unless interrupted
    timer.join()
    assert 200 < engine.current_step < 200 + 1e8

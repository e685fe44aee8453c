# SPDX-License-Identifier: MIT
"""numpy arrays returned by the module: the dtypes and shapes docs/python.md documents, and
that they are copies (changing one changes nothing in the engine)."""

import numpy as np

import hebllm
from conftest import small_network


def ran_engine(backend="auto"):
    engine = hebllm.make_engine(small_network(), backend=backend)
    engine.run(50.0, lambda t: np.arange(0, 30, 3) if t < 20 else None)
    return engine


def test_spike_dtype_and_order():
    engine = ran_engine()
    spikes = engine.spikes()
    assert spikes.dtype == hebllm.SPIKE_DTYPE
    assert spikes.dtype.names == ("neuron", "step", "time_ms")
    assert spikes.dtype["neuron"] == np.uint32
    assert spikes.dtype["step"] == np.int64
    assert spikes.dtype["time_ms"] == np.float64
    assert spikes.ndim == 1 and len(spikes) > 0
    assert len(spikes) == engine.stats()["spikes"] == engine.population_spike_counts().sum()
    # by step, then neuron id
    order = np.lexsort((spikes["neuron"], spikes["step"]))
    assert np.array_equal(order, np.arange(len(spikes)))
    assert np.array_equal(spikes["time_ms"], spikes["step"] * engine.dt_ms)
    assert spikes["neuron"].max() < engine.neuron_count


def test_synapse_dtype():
    engine = ran_engine()
    syn = engine.synapses()
    assert syn.dtype == hebllm.SYNAPSE_DTYPE
    assert syn.dtype.names == ("pre", "post", "weight", "delay_steps")
    assert [syn.dtype[f] for f in syn.dtype.names] == [np.uint32, np.uint32, np.float32, np.uint32]
    assert syn.shape == (engine.synapse_count,)
    order = np.lexsort((syn["post"], syn["pre"]))
    assert np.array_equal(order, np.arange(len(syn)))
    assert syn["delay_steps"].min() >= 1 and syn["delay_steps"].max() <= 5
    # Dale's law: the inhibitory population's weights are negative, the others' positive
    net = engine.network
    inh = next(p for p in net.populations if p["kind"] == "inhibitory")
    from_inh = (syn["pre"] >= inh["offset"]) & (syn["pre"] < inh["offset"] + inh["size"])
    assert (syn["weight"][from_inh] <= 0).all() and (syn["weight"][~from_inh] >= 0).all()


def test_state_arrays():
    engine = ran_engine()
    n = engine.neuron_count
    state = engine.state()
    floats = ["v", "i_syn", "threshold", "theta", "trace_pre", "trace_post", "rate_hz"]
    assert sorted(state) == sorted(floats + ["refractory_steps"])
    for key in floats:
        assert state[key].dtype == np.float64 and state[key].shape == (n,), key
    assert state["refractory_steps"].dtype == np.int32
    assert state["refractory_steps"].shape == (n,)
    pot = engine.potentials()
    assert pot.dtype == np.float64 and pot.shape == (n,)
    assert np.array_equal(pot, state["v"])
    assert engine.synaptic_currents().shape == (n,)
    assert engine.population_spike_counts().dtype == np.uint64
    assert engine.population_spike_counts().shape == (4,)


def test_arrays_are_copies():
    engine = ran_engine()
    pot = engine.potentials()
    pot[:] = 123.0
    engine.state()["v"][:] = 123.0
    syn = engine.synapses()
    syn["weight"][:] = 9.0
    spikes = engine.spikes()
    spikes["neuron"][:] = 0
    assert not np.any(engine.potentials() == 123.0)
    assert not np.any(engine.synapses()["weight"] == 9.0)
    assert engine.spikes()["neuron"].max() > 0


def test_step_and_last_spikes():
    engine = hebllm.make_engine(small_network())
    fired = engine.step(lambda t: [1, 2, 3])
    assert fired.dtype == np.uint32
    assert fired.tolist() == [1, 2, 3]
    assert np.array_equal(engine.last_spikes(), fired)
    assert engine.current_step == 1 and engine.time_ms == 1.0


def test_hebsnn_get_state():
    net = hebllm.HebSNN(30, 120, 30, 20, 0.2, seed=7)
    net.run(20.0, lambda t: [0, 1, 2])
    st = net.get_state()
    n, s = net.n_neurons, net.engine.synapse_count
    assert st["v"].shape == (n,) and st["v"].dtype == np.float64
    assert st["pre_indices"].shape == (s,) and st["pre_indices"].dtype == np.uint32
    assert st["post_indices"].dtype == np.uint32
    assert st["weights"].shape == (s,) and st["weights"].dtype == np.float32
    assert st["delays"].dtype == np.float64 and st["delays"].min() >= 1.0
    assert st["pre_indices"].flags["C_CONTIGUOUS"] and st["weights"].flags["C_CONTIGUOUS"]
    assert st["time_ms"] == 20.0
    spikes = net.get_spikes()
    assert spikes.dtype == hebllm.SPIKE_DTYPE


def test_network_properties():
    net = hebllm.make_hebsnn()  # the original's defaults
    assert net.neuron_count == 1000 + 5000 + 1000 + 1000
    assert net.seed == 42 and net.dt_ms == 1.0
    sizes = [(p["name"], p["kind"], p["size"], p["offset"]) for p in net.populations]
    assert sizes == [
        ("sensory", "sensory", 1000, 0),
        ("associative", "associative", 5000, 1000),
        ("inhibitory", "inhibitory", 1000, 6000),
        ("output", "output", 1000, 7000),
    ]
    assert net.offset("output") == 7000
    assert net.population_of(6500) == 2
    assert "8000 neurons" in repr(net)

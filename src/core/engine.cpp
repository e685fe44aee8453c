// SPDX-License-Identifier: MIT
// hebllm::engine, the public class: a concrete facade over the backend behind it
// (detail::engine_base and the backend's phases). Every member forwards.
#include <hebllm/engine.hpp>

#include <utility>

#include <hebllm/errors.hpp>

#include "core/engine_base.hpp"

namespace hebllm {

engine::engine(std::unique_ptr<detail::engine_base> impl) : impl_(std::move(impl)) {
    if (!impl_) {
        throw internal_error("engine: no backend");
    }
}

engine::~engine() = default;

std::string_view engine::backend() const {
    return impl_->backend();
}
const network_spec& engine::spec() const {
    return impl_->spec();
}
std::uint32_t engine::neuron_count() const {
    return impl_->neuron_count();
}
std::uint64_t engine::synapse_count() const {
    return impl_->synapse_count();
}
std::int64_t engine::current_step() const {
    return impl_->current_step();
}
void engine::step(const input_fn& fn) {
    impl_->step(fn);
}
std::span<const std::uint32_t> engine::last_spikes() const {
    return impl_->last_spikes();
}
void engine::add_stimulus(const stimulus& s) {
    impl_->add_stimulus(s);
}
void engine::set_surprise(double value) {
    impl_->set_surprise(value);
}
void engine::set_reward(double value) {
    impl_->set_reward(value);
}
void engine::set_modulation(double value) {
    impl_->set_modulation(value);
}
double engine::modulation() const {
    return impl_->modulation();
}
void engine::reset_state() {
    impl_->reset_state();
}
void engine::reset_stats() {
    impl_->reset_stats();
}
const std::vector<spike_event>& engine::spikes() const {
    return impl_->spikes();
}
const std::vector<state_sample>& engine::samples() const {
    return impl_->samples();
}
std::vector<std::uint64_t> engine::population_spike_counts() const {
    return impl_->population_spike_counts();
}
void engine::clear_recording() {
    impl_->clear_recording();
}
neuron_state engine::state() const {
    return impl_->state();
}
void engine::read_potentials(std::uint32_t first, std::span<double> out) const {
    impl_->read_potentials(first, out);
}
void engine::read_synaptic_currents(std::uint32_t first, std::span<double> out) const {
    impl_->read_synaptic_currents(first, out);
}
std::vector<synapse_view> engine::synapses() {
    return impl_->synapses();
}
run_stats engine::stats() const {
    return impl_->stats();
}
std::uint64_t engine::synapse_bytes() const {
    return impl_->synapse_bytes();
}
consolidation_report engine::consolidate() {
    return impl_->consolidate();
}
const consolidation_report& engine::last_consolidation() const {
    return impl_->last_consolidation();
}
std::uint64_t engine::consolidations() const {
    return impl_->consolidations();
}
growth_report engine::add_synapses(std::span<const synapse_growth> add) {
    return impl_->add_synapses(add);
}
std::uint64_t engine::remove_synapses_of(std::span<const std::uint32_t> neurons) {
    return impl_->remove_synapses_of(neurons);
}
engine_snapshot engine::snapshot(bool record_spikes) {
    return impl_->snapshot(record_spikes);
}

}  // namespace hebllm

// SPDX-License-Identifier: MIT
// The HTML activity report (include/hebllm/io.hpp "HTML activity report", docs/cli.md
// "report"): one self-contained page of inline SVG plots, plus the readers of the files it is
// made from (training logs, `hebllm eval --json` output, spike recordings in either format).
//
// Self-contained means: no <script>, no external fonts, images or style sheets, no URL at all
// (inline <svg> in HTML needs no xmlns). Every text that comes from a file is escaped, and the
// SVG parts are well-formed XML (every element closed), so they can be checked by an XML parser.

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include <hebllm/errors.hpp>
#include <hebllm/io.hpp>

#include "io/file_util.hpp"

namespace hebllm {
namespace {

// ---- text -----------------------------------------------------------------------------------

[[gnu::format(printf, 2, 3)]] void appendf(std::string& out, const char* format, ...) {
    std::array<char, 512> buffer{};
    std::va_list args;
    va_start(args, format);
    const int n = std::vsnprintf(buffer.data(), buffer.size(), format, args);
    va_end(args);
    if (n > 0) {
        out.append(buffer.data(), std::min(static_cast<std::size_t>(n), buffer.size() - 1));
    }
}

// Text for HTML element content and attribute values (both quoted with ").
std::string esc(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (const char c : text) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            case '\'': out += "&#39;"; break;
            default:
                // Control characters other than tab and newline are not allowed in XML.
                if (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n') {
                    out += ' ';
                } else {
                    out += c;
                }
        }
    }
    return out;
}

// A number for people: 4 significant digits.
std::string num(double v) {
    if (!std::isfinite(v)) {
        return std::isnan(v) ? "n/a" : (v > 0 ? "inf" : "-inf");
    }
    std::string s;
    appendf(s, "%.4g", v);
    return s;
}

// A coordinate: 2 decimals are plenty on screen.
std::string coord(double v) {
    std::string s;
    appendf(s, "%.2f", v);
    return s;
}

std::string u64(std::uint64_t v) {
    return std::to_string(v);
}

// Appends a path command: cmd x y (appends only; GCC 12 gives false -Wrestrict warnings on
// chains of std::string operator+ here).
void pt(std::string& d, char cmd, double x, double y) {
    d += cmd;
    d += coord(x);
    d += ' ';
    d += coord(y);
}

// Distinct colours (Tableau 10), cycled when there are more populations.
constexpr std::array<const char*, 10> palette = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728",
                                                 "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
                                                 "#bcbd22", "#17becf"};
const char* colour(std::size_t i) {
    return palette[i % palette.size()];
}

// ---- axes -----------------------------------------------------------------------------------

// Round tick spacing (1, 2 or 5 times a power of ten) giving about `target` ticks over span.
double nice_step(double span, int target) {
    if (!(span > 0.0) || !std::isfinite(span)) {
        return 1.0;
    }
    const double raw = span / target;
    const double p = std::pow(10.0, std::floor(std::log10(raw)));
    const double f = raw / p;
    return (f < 1.5 ? 1.0 : f < 3.5 ? 2.0 : f < 7.5 ? 5.0 : 10.0) * p;
}

// A plot area with linear axes; emits the frame, ticks, tick labels and axis labels.
struct frame {
    double width = 1000.0, height = 300.0;
    double left = 70.0, right = 20.0, top = 30.0, bottom = 50.0;
    double x0 = 0.0, x1 = 1.0, y0 = 0.0, y1 = 1.0;
    bool y_down = false;  // y0 at the top (rasters: neuron 0 first)

    double sx(double x) const { return left + (x - x0) / (x1 - x0) * (width - left - right); }
    double sy(double y) const {
        const double f = (y - y0) / (y1 - y0);
        const double h = height - top - bottom;
        return y_down ? top + f * h : height - bottom - f * h;
    }

    // Opens the <svg> element; close with "</svg>".
    std::string open(const std::string& plot, const std::string& title,
                     const std::string& extra_attributes = "") const {
        std::string s;
        appendf(s, "<svg class=\"plot\" data-plot=\"%s\" width=\"%.0f\" height=\"%.0f\" ",
                esc(plot).c_str(), width, height);
        appendf(s, "viewBox=\"0 0 %.0f %.0f\" role=\"img\"%s>\n", width, height,
                extra_attributes.c_str());
        s += "<title>" + esc(title) + "</title>\n";
        s += "<text class=\"ttl\" x=\"" + coord(left) + "\" y=\"18\">" + esc(title) + "</text>\n";
        return s;
    }

    std::string axes(const std::string& x_label, const std::string& y_label) const {
        std::string s = "<g class=\"axis\">\n";
        const double bx = height - bottom;
        s += "<line x1=\"" + coord(left) + "\" y1=\"" + coord(bx) + "\" x2=\"" +
             coord(width - right) + "\" y2=\"" + coord(bx) + "\"/>\n";
        s += "<line x1=\"" + coord(left) + "\" y1=\"" + coord(top) + "\" x2=\"" + coord(left) +
             "\" y2=\"" + coord(bx) + "\"/>\n";
        const double xs = nice_step(x1 - x0, 8);
        for (double t = std::ceil(x0 / xs - 1e-9) * xs; t <= x1 + xs * 1e-9; t += xs) {
            const double px = sx(t);
            s += "<line x1=\"" + coord(px) + "\" y1=\"" + coord(bx) + "\" x2=\"" + coord(px) +
                 "\" y2=\"" + coord(bx + 5) + "\"/>";
            s += "<text x=\"" + coord(px) + "\" y=\"" + coord(bx + 18) +
                 "\" text-anchor=\"middle\">" + num(std::abs(t) < xs * 1e-9 ? 0.0 : t) +
                 "</text>\n";
        }
        const double ys = nice_step(y1 - y0, 5);
        for (double t = std::ceil(y0 / ys - 1e-9) * ys; t <= y1 + ys * 1e-9; t += ys) {
            const double py = sy(t);
            s += "<line x1=\"" + coord(left - 5) + "\" y1=\"" + coord(py) + "\" x2=\"" +
                 coord(left) + "\" y2=\"" + coord(py) + "\"/>";
            s += "<text x=\"" + coord(left - 8) + "\" y=\"" + coord(py + 4) +
                 "\" text-anchor=\"end\">" + num(std::abs(t) < ys * 1e-9 ? 0.0 : t) + "</text>\n";
        }
        s += "<text class=\"lbl\" x=\"" + coord((left + width - right) / 2) + "\" y=\"" +
             coord(height - 8) + "\" text-anchor=\"middle\">" + esc(x_label) + "</text>\n";
        const double my = (top + height - bottom) / 2;
        s += "<text class=\"lbl\" x=\"14\" y=\"" + coord(my) +
             "\" text-anchor=\"middle\" transform=\"rotate(-90 14 " + coord(my) + ")\">" +
             esc(y_label) + "</text>\n";
        s += "</g>\n";
        return s;
    }

    // A legend of coloured names at the top right.
    std::string legend(const std::vector<std::string>& names) const {
        std::string s = "<g class=\"legend\">\n";
        double x = width - right - 10.0;
        for (std::size_t i = names.size(); i-- > 0;) {
            const double w = 14.0 + 7.0 * static_cast<double>(names[i].size());
            x -= w;
            s += "<rect x=\"" + coord(x) + "\" y=\"8\" width=\"10\" height=\"10\" fill=\"" +
                 colour(i) + "\"/><text x=\"" + coord(x + 13) + "\" y=\"17\">" + esc(names[i]) +
                 "</text>\n";
        }
        s += "</g>\n";
        return s;
    }
};

// ---- the data ---------------------------------------------------------------------------------

struct layout {
    std::vector<std::string> names;
    std::vector<std::uint32_t> offsets;  // first id of each population, plus the total at the end

    std::size_t count() const { return names.size(); }
    std::uint32_t size(std::size_t p) const { return offsets[p + 1] - offsets[p]; }
    std::uint32_t total() const { return offsets.back(); }
    std::size_t of(std::uint32_t id) const {
        return static_cast<std::size_t>(std::upper_bound(offsets.begin(), offsets.end(), id) -
                                        offsets.begin() - 1);
    }
};

layout make_layout(const html_report_input& in) {
    layout l;
    l.offsets.push_back(0);
    if (in.populations.empty()) {
        std::uint32_t n = 0;
        for (const spike_event& e : in.recording.spikes) {
            n = std::max(n, e.neuron + 1);
        }
        for (const synapse_view& s : in.synapses) {
            n = std::max({n, s.pre + 1, s.post + 1});
        }
        l.names.emplace_back("all");
        l.offsets.push_back(n);
        return l;
    }
    for (const population& p : in.populations) {
        l.names.push_back(p.name);
        l.offsets.push_back(l.offsets.back() + p.size);
    }
    return l;
}

std::string kv_table(const std::vector<std::pair<std::string, std::string>>& rows) {
    std::string s = "<table class=\"kv\">\n";
    for (const auto& [k, v] : rows) {
        s += "<tr><th>" + esc(k) + "</th><td>" + esc(v) + "</td></tr>\n";
    }
    s += "</table>\n";
    return s;
}

// ---- sections ---------------------------------------------------------------------------------

std::string raster_section(const html_report_input& in, const layout& l, double duration_ms) {
    const std::vector<spike_event>& spikes = in.recording.spikes;
    const std::size_t n = spikes.size();
    const std::size_t limit = std::max<std::size_t>(in.max_raster_spikes, 1);
    const std::size_t drawn = std::min(n, limit);
    frame f;
    f.height = 420.0;
    f.right = 110.0;
    f.x0 = 0.0;
    f.x1 = duration_ms;
    f.y0 = 0.0;
    f.y1 = std::max<double>(l.total(), 1.0);
    f.y_down = true;
    std::string s = "<h2>Spike raster</h2>\n";
    if (drawn < n) {
        s += "<p class=\"note\">Downsampled: " + u64(drawn) + " of " + u64(n) +
             " recorded spikes are drawn (a uniform subsample in time order, every " +
             num(static_cast<double>(n) / static_cast<double>(drawn)) + "th spike).</p>\n";
    } else {
        s += "<p class=\"note\">All " + u64(n) + " recorded spikes are drawn.</p>\n";
    }
    s +=
        f.open("raster", "Spike raster (coloured by population)",
               " data-spikes-drawn=\"" + u64(drawn) + "\" data-spikes-recorded=\"" + u64(n) + "\"");
    // Population bands: faint background and the name at the right.
    for (std::size_t p = 0; p < l.count(); ++p) {
        const double ya = f.sy(l.offsets[p]);
        const double yb = f.sy(l.offsets[p + 1]);
        s += "<text class=\"band\" x=\"" + coord(f.width - f.right + 6) + "\" y=\"" +
             coord((ya + yb) / 2 + 4) + "\" fill=\"" + colour(p) + "\">" + esc(l.names[p]) +
             "</text>\n";
        if (p > 0) {
            s += "<line class=\"sep\" x1=\"" + coord(f.left) + "\" y1=\"" + coord(ya) + "\" x2=\"" +
                 coord(f.width - f.right) + "\" y2=\"" + coord(ya) + "\"/>\n";
        }
    }
    // One path per population, one subpath (a short mark) per drawn spike.
    std::vector<std::string> paths(l.count());
    const double dt = in.recording.dt_ms;
    for (std::size_t k = 0; k < drawn; ++k) {
        // Uniform subsample by index: k-th drawn spike is number floor(k * n / drawn).
        const std::size_t i =
            drawn == n ? k
                       : static_cast<std::size_t>(static_cast<unsigned long long>(k) * n / drawn);
        const spike_event& e = spikes[i];
        const double x = f.sx(static_cast<double>(e.step) * dt);
        const double y = f.sy(static_cast<double>(e.neuron) + 0.5);
        std::string& d = paths[l.of(e.neuron)];
        pt(d, 'M', x, y);
        d += "h1.5";
    }
    for (std::size_t p = 0; p < l.count(); ++p) {
        if (!paths[p].empty()) {
            s += "<path class=\"spikes\" data-population=\"" + esc(l.names[p]) + "\" stroke=\"" +
                 colour(p) + "\" d=\"" + paths[p] + "\"/>\n";
        }
    }
    s += f.axes("time (ms)", "neuron id");
    s += "</svg>\n";
    return s;
}

std::string rates_section(const html_report_input& in, const layout& l, double duration_ms) {
    const double dt = in.recording.dt_ms;
    double bin_ms = std::max(nice_step(duration_ms, 100), dt);
    bin_ms = std::ceil(bin_ms / dt - 1e-9) * dt;  // a whole number of steps
    const auto bins = static_cast<std::size_t>(std::max(1.0, std::ceil(duration_ms / bin_ms)));
    std::vector<std::vector<double>> counts(l.count(), std::vector<double>(bins, 0.0));
    for (const spike_event& e : in.recording.spikes) {
        const auto b =
            std::min(bins - 1, static_cast<std::size_t>(static_cast<double>(e.step) * dt / bin_ms));
        counts[l.of(e.neuron)][b] += 1.0;
    }
    double top = 0.0;
    for (std::size_t p = 0; p < l.count(); ++p) {
        const double per = std::max<double>(l.size(p), 1.0) * bin_ms / 1000.0;
        for (double& c : counts[p]) {
            c /= per;  // Hz
            top = std::max(top, c);
        }
    }
    frame f;
    f.x1 = static_cast<double>(bins) * bin_ms;
    f.y1 = top > 0.0 ? top * 1.05 : 1.0;
    std::string s =
        "<h2>Population rates</h2>\n<p class=\"note\">Mean rate per neuron of each "
        "population in bins of " +
        num(bin_ms) + " ms.</p>\n";
    s += f.open("rates", "Population rates over time (bins of " + num(bin_ms) + " ms)");
    for (std::size_t p = 0; p < l.count(); ++p) {
        std::string d;
        for (std::size_t b = 0; b < bins; ++b) {
            const double xa = f.sx(static_cast<double>(b) * bin_ms);
            const double xb = f.sx(static_cast<double>(b + 1) * bin_ms);
            const double y = f.sy(counts[p][b]);
            pt(d, b == 0 ? 'M' : 'L', xa, y);
            pt(d, 'L', xb, y);
        }
        s += "<path class=\"line\" data-population=\"" + esc(l.names[p]) + "\" stroke=\"" +
             colour(p) + "\" d=\"" + d + "\"/>\n";
    }
    s += f.legend(l.names);
    s += f.axes("time (ms)", "rate (Hz)");
    s += "</svg>\n";
    return s;
}

struct isi_stats {
    std::vector<double> isis;  // ms, pooled over the population
    std::uint64_t spikes = 0;
    std::uint32_t active = 0;  // neurons with at least one spike
    double cv_sum = 0.0;       // per-neuron CVs (neurons with >= 2 intervals)
    std::uint32_t cv_neurons = 0;
};

double mean_of(const std::vector<double>& v) {
    double s = 0.0;
    for (const double x : v) {
        s += x;
    }
    return v.empty() ? NAN : s / static_cast<double>(v.size());
}

double cv_of(const std::vector<double>& v) {
    if (v.size() < 2) {
        return NAN;
    }
    const double m = mean_of(v);
    double ss = 0.0;
    for (const double x : v) {
        ss += (x - m) * (x - m);
    }
    return m > 0.0 ? std::sqrt(ss / static_cast<double>(v.size() - 1)) / m : NAN;
}

std::string isi_section(const html_report_input& in, const layout& l, double duration_ms) {
    const double dt = in.recording.dt_ms;
    // Each neuron's spike steps, in time order (the recording is sorted by step).
    std::vector<std::vector<std::int64_t>> times(l.total());
    for (const spike_event& e : in.recording.spikes) {
        times[e.neuron].push_back(e.step);
    }
    std::vector<isi_stats> st(l.count());
    for (std::uint32_t id = 0; id < l.total(); ++id) {
        const std::vector<std::int64_t>& t = times[id];
        isi_stats& ps = st[l.of(id)];
        ps.spikes += t.size();
        ps.active += t.empty() ? 0 : 1;
        std::vector<double> own;
        for (std::size_t k = 1; k < t.size(); ++k) {
            own.push_back(static_cast<double>(t[k] - t[k - 1]) * dt);
        }
        if (own.size() >= 2) {
            ps.cv_sum += cv_of(own);
            ++ps.cv_neurons;
        }
        ps.isis.insert(ps.isis.end(), own.begin(), own.end());
    }
    // Histogram range: up to the 99th percentile of all intervals.
    std::vector<double> all;
    for (const isi_stats& ps : st) {
        all.insert(all.end(), ps.isis.begin(), ps.isis.end());
    }
    std::string s = "<h2>Inter-spike intervals</h2>\n";
    std::string table =
        "<table class=\"data\">\n<tr><th>population</th><th>neurons</th><th>spikes</th>"
        "<th>active neurons</th><th>mean rate (Hz)</th><th>intervals</th><th>mean ISI (ms)</th>"
        "<th>CV of ISI (pooled)</th><th>mean CV per neuron</th><th>neurons in that mean</th>"
        "</tr>\n";
    for (std::size_t p = 0; p < l.count(); ++p) {
        const isi_stats& ps = st[p];
        const double rate = duration_ms > 0.0 && l.size(p) > 0
                                ? static_cast<double>(ps.spikes) /
                                      (static_cast<double>(l.size(p)) * duration_ms / 1000.0)
                                : 0.0;
        table += "<tr><td><span class=\"sw\" style=\"background:" + std::string(colour(p)) +
                 "\"></span>" + esc(l.names[p]) + "</td><td>" + u64(l.size(p)) + "</td><td>" +
                 u64(ps.spikes) + "</td><td>" + u64(ps.active) + "</td><td>" + num(rate) +
                 "</td><td>" + u64(ps.isis.size()) + "</td><td>" + num(mean_of(ps.isis)) +
                 "</td><td>" + num(cv_of(ps.isis)) + "</td><td>" +
                 num(ps.cv_neurons > 0 ? ps.cv_sum / ps.cv_neurons : NAN) + "</td><td>" +
                 u64(ps.cv_neurons) + "</td></tr>\n";
    }
    table += "</table>\n";
    if (all.empty()) {
        return s + "<p class=\"note\">No neuron spiked twice: no intervals to show.</p>\n" + table;
    }
    std::sort(all.begin(), all.end());
    const double hi =
        std::max(all[std::min(all.size() - 1, all.size() * 99 / 100)], all.front() + dt);
    constexpr std::size_t bins = 40;
    const double w = hi / static_cast<double>(bins);
    std::vector<std::vector<double>> frac(l.count(), std::vector<double>(bins, 0.0));
    double top = 0.0;
    for (std::size_t p = 0; p < l.count(); ++p) {
        for (const double x : st[p].isis) {
            if (x <= hi) {
                frac[p][std::min(bins - 1, static_cast<std::size_t>(x / w))] += 1.0;
            }
        }
        for (double& c : frac[p]) {
            c /= std::max<double>(1.0, static_cast<double>(st[p].isis.size()));
            top = std::max(top, c);
        }
    }
    frame f;
    f.x1 = hi;
    f.y1 = top > 0.0 ? top * 1.05 : 1.0;
    s += "<p class=\"note\">Intervals between consecutive spikes of each neuron, pooled per "
         "population; " +
         num(w) + " ms bins up to the 99th percentile (" + num(hi) +
         " ms). CV = standard deviation / mean of the intervals (1 for a Poisson process).</p>\n";
    s += f.open("isi", "ISI histogram per population");
    for (std::size_t p = 0; p < l.count(); ++p) {
        if (st[p].isis.empty()) {
            continue;
        }
        std::string d;
        pt(d, 'M', f.sx(0), f.sy(0));
        for (std::size_t b = 0; b < bins; ++b) {
            const double y = f.sy(frac[p][b]);
            pt(d, 'L', f.sx(static_cast<double>(b) * w), y);
            pt(d, 'L', f.sx(static_cast<double>(b + 1) * w), y);
        }
        pt(d, 'L', f.sx(hi), f.sy(0));
        s += "<path class=\"line\" data-population=\"" + esc(l.names[p]) + "\" stroke=\"" +
             colour(p) + "\" d=\"" + d + "\"/>\n";
    }
    s += f.legend(l.names);
    s += f.axes("inter-spike interval (ms)", "fraction of the population's intervals");
    s += "</svg>\n" + table;
    return s;
}

std::string weights_section(const html_report_input& in, const layout& l) {
    std::string s = "<h2>Weights</h2>\n";
    // Synapses grouped by (source population, target population).
    std::map<std::pair<std::size_t, std::size_t>, std::vector<double>> groups;
    for (const synapse_view& v : in.synapses) {
        if (v.pre >= l.total() || v.post >= l.total()) {
            throw model_error("the report's synapse " + u64(v.pre) + " -> " + u64(v.post) +
                              " is outside the network of " + u64(l.total()) + " neurons");
        }
        groups[{l.of(v.pre), l.of(v.post)}].push_back(v.weight);
    }
    if (groups.empty()) {
        return s + "<p class=\"note\">The network has no synapses.</p>\n";
    }
    s += "<p class=\"note\">" + u64(in.synapses.size()) +
         " synapses; one histogram per (source population &#8594; target population), 30 bins "
         "between the smallest and the largest weight of the pair. Weights are signed (negative: "
         "inhibitory), in mV (the jump of the target's v or synaptic current per spike).</p>\n"
         "<div class=\"grid\">\n";
    for (const auto& [key, w] : groups) {
        const auto [lo_it, hi_it] = std::minmax_element(w.begin(), w.end());
        double lo = *lo_it;
        double hi = *hi_it;
        if (hi - lo < 1e-12) {
            const double pad = std::max(std::abs(lo) * 0.05, 1e-3);
            lo -= pad;
            hi += pad;
        }
        constexpr std::size_t bins = 30;
        const double bw = (hi - lo) / bins;
        std::vector<std::uint64_t> h(bins, 0);
        for (const double x : w) {
            ++h[std::min(bins - 1, static_cast<std::size_t>((x - lo) / bw))];
        }
        const std::uint64_t top = *std::max_element(h.begin(), h.end());
        frame f;
        f.width = 360.0;
        f.height = 240.0;
        f.left = 60.0;
        f.x0 = lo;
        f.x1 = hi;
        f.y1 = static_cast<double>(top) * 1.05;
        const std::string name = l.names[key.first] + " \u2192 " + l.names[key.second];
        s += f.open("weights",
                    name + " (" + u64(w.size()) + " synapses, mean " + num(mean_of(w)) + " mV)");
        for (std::size_t b = 0; b < bins; ++b) {
            if (h[b] == 0) {
                continue;
            }
            const double xa = f.sx(lo + static_cast<double>(b) * bw);
            const double xb = f.sx(lo + static_cast<double>(b + 1) * bw);
            const double y = f.sy(static_cast<double>(h[b]));
            s += "<rect x=\"" + coord(xa) + "\" y=\"" + coord(y) + "\" width=\"" +
                 coord(std::max(xb - xa - 0.5, 0.5)) + "\" height=\"" + coord(f.sy(0) - y) +
                 "\" fill=\"" + colour(key.first) + "\"/>\n";
        }
        s += f.axes("weight (mV)", "synapses");
        s += "</svg>\n";
    }
    s += "</div>\n";
    return s;
}

std::string curve_section(const html_report_input& in) {
    const std::vector<learning_curve_point>& c = in.learning_curve;
    std::string s = "<h2>Learning curve</h2>\n";
    double lo = INFINITY;
    double hi = -INFINITY;
    for (const learning_curve_point& p : c) {
        if (std::isfinite(p.bits)) {
            lo = std::min(lo, p.bits);
            hi = std::max(hi, p.bits);
        }
    }
    if (!std::isfinite(lo)) {
        return s + "<p class=\"note\">The training log has no finite bits/token.</p>\n";
    }
    frame f;
    f.x0 = 0.0;
    f.x1 = static_cast<double>(c.back().tokens);
    f.y0 = std::max(0.0, std::floor(lo - 0.5));
    f.y1 = std::ceil(hi + 0.5);
    s += "<p class=\"note\">Prequential: each training token was predicted before it was "
         "learned; bits/token = mean of &#8722;log<sub>2</sub> p(token) over each interval of " +
         u64(c.size() > 1 ? c[1].tokens - c[0].tokens : c[0].tokens) + " tokens.</p>\n";
    s += f.open("learning-curve", "Learning curve (running bits/token while training)");
    std::string d;
    std::string dots;
    for (const learning_curve_point& p : c) {
        if (!std::isfinite(p.bits)) {
            continue;
        }
        const double x = f.sx(static_cast<double>(p.tokens));
        const double y = f.sy(p.bits);
        pt(d, d.empty() ? 'M' : 'L', x, y);
        if (c.size() <= 200) {
            dots += "<circle cx=\"" + coord(x) + "\" cy=\"" + coord(y) + "\" r=\"2.5\"/>";
        }
    }
    s += "<path class=\"line\" stroke=\"" + std::string(colour(0)) + "\" d=\"" + d + "\"/>\n";
    s += "<g fill=\"" + std::string(colour(0)) + "\">" + dots + "</g>\n";
    s += f.axes("training tokens seen", "bits/token (interval mean)");
    s += "</svg>\n";
    return s;
}

std::string eval_section(const eval_summary& e) {
    std::string s = "<h2>Evaluation</h2>\n";
    if (!e.info.empty()) {
        s += kv_table(e.info);
    }
    std::vector<std::string> columns;
    for (const eval_summary::mode_row& r : e.modes) {
        for (const auto& [k, v] : r.values) {
            if (std::find(columns.begin(), columns.end(), k) == columns.end()) {
                columns.push_back(k);
            }
        }
    }
    // Units and meanings of the columns `hebllm eval --json` prints.
    const auto head = [](const std::string& k) -> std::string {
        static const std::array<std::pair<const char*, const char*>, 5> names = {{
            {"bits", "bits/token"},
            {"top1", "top-1 (fraction)"},
            {"top5", "top-5 (fraction)"},
            {"wall_s", "wall time (s)"},
            {"tokens_per_s", "tokens/s"},
        }};
        for (const auto& [key, name] : names) {
            if (k == key) {
                return name;
            }
        }
        return k;
    };
    s += "<table class=\"data\">\n<tr><th>mode</th>";
    for (const std::string& k : columns) {
        s += "<th>" + esc(head(k)) + "</th>";
    }
    s += "</tr>\n";
    for (const eval_summary::mode_row& r : e.modes) {
        s += "<tr><td>" + esc(r.mode) + "</td>";
        for (const std::string& k : columns) {
            const auto it = std::find_if(r.values.begin(), r.values.end(),
                                         [&k](const auto& kv) { return kv.first == k; });
            s += "<td>" + (it == r.values.end() ? std::string("&#8212;") : num(it->second)) +
                 "</td>";
        }
        s += "</tr>\n";
    }
    s += "</table>\n";
    return s;
}

constexpr const char* style = R"(<style>
body { font-family: sans-serif; margin: 20px; color: #222; max-width: 1120px; }
h1 { font-size: 22px; } h2 { font-size: 18px; margin-top: 28px; border-bottom: 1px solid #ccc; }
p.note { color: #555; font-size: 13px; }
table { border-collapse: collapse; font-size: 13px; margin: 8px 0; }
th, td { border: 1px solid #ddd; padding: 3px 8px; text-align: left; }
table.data td { text-align: right; } table.data td:first-child { text-align: left; }
span.sw { display: inline-block; width: 10px; height: 10px; margin-right: 5px; }
svg.plot { display: block; margin: 6px 0; background: #fff; }
svg text { font-size: 11px; fill: #333; } svg text.ttl { font-size: 13px; font-weight: bold; }
svg text.lbl { font-size: 12px; } svg text.band { font-size: 12px; font-weight: bold; }
svg .axis line { stroke: #444; stroke-width: 1; } svg line.sep { stroke: #ccc; }
svg path.spikes { fill: none; stroke-width: 1.5; }
svg path.line { fill: none; stroke-width: 1.5; }
div.grid { display: flex; flex-wrap: wrap; gap: 8px; }
</style>
)";

}  // namespace

// ---- readers ------------------------------------------------------------------------------------

std::vector<learning_curve_point> read_learning_curve_csv(const std::filesystem::path& csv) {
    const std::string file = csv.string();
    const std::string data = io_detail::read_file(csv);
    std::vector<learning_curve_point> out;
    std::size_t line_no = 0;
    std::size_t pos = 0;
    while (pos < data.size()) {
        std::size_t eol = data.find('\n', pos);
        if (eol == std::string::npos) {
            eol = data.size();
        }
        std::string_view line(data.data() + pos, eol - pos);
        pos = eol + 1;
        ++line_no;
        if (!line.empty() && line.back() == '\r') {
            line.remove_suffix(1);
        }
        if (line_no == 1) {
            if (io_detail::trim(line) != "tokens,bits_per_token,top1") {
                throw file_error(file, 1,
                                 "not a training log: expected the header "
                                 "'tokens,bits_per_token,top1' (from 'hebllm train --log')");
            }
            continue;
        }
        if (io_detail::trim(line).empty()) {
            continue;
        }
        std::array<std::string_view, 3> f{};
        std::size_t start = 0;
        for (std::size_t k = 0; k < 3; ++k) {
            const std::size_t comma = line.find(',', start);
            if ((comma == std::string_view::npos) != (k == 2)) {
                throw file_error(file, line_no, "expected 3 fields (tokens,bits_per_token,top1)");
            }
            f[k] = io_detail::trim(line.substr(
                start, comma == std::string_view::npos ? std::string_view::npos : comma - start));
            start = comma + 1;
        }
        learning_curve_point p;
        const auto [tp, tec] = std::from_chars(f[0].data(), f[0].data() + f[0].size(), p.tokens);
        if (tec != std::errc() || tp != f[0].data() + f[0].size()) {
            throw file_error(
                file, line_no,
                "'tokens' must be a non-negative integer, got '" + std::string(f[0]) + "'");
        }
        for (std::size_t k = 1; k < 3; ++k) {
            double& v = k == 1 ? p.bits : p.top1;
            const auto [vp, vec] = std::from_chars(f[k].data(), f[k].data() + f[k].size(), v);
            if (vec != std::errc() || vp != f[k].data() + f[k].size()) {
                throw file_error(file, line_no,
                                 std::string(k == 1 ? "'bits_per_token'" : "'top1'") +
                                     " must be a number, got '" + std::string(f[k]) + "'");
            }
        }
        if (!out.empty() && p.tokens <= out.back().tokens) {
            throw file_error(file, line_no, "'tokens' must increase from row to row");
        }
        out.push_back(p);
    }
    if (out.empty()) {
        throw file_error(file, 0, "the training log has no rows");
    }
    return out;
}

eval_summary read_eval_json(const std::filesystem::path& json) {
    const std::string file = json.string();
    const std::string data = io_detail::read_file(json);
    const nlohmann::ordered_json j = nlohmann::ordered_json::parse(data, nullptr, false);
    if (j.is_discarded() || !j.is_object()) {
        throw file_error(file, 0,
                         "not the JSON object 'hebllm eval --json' prints (not valid JSON, or "
                         "not an object)");
    }
    eval_summary e;
    for (const auto& [key, value] : j.items()) {
        if (value.is_object()) {
            eval_summary::mode_row row;
            row.mode = key;
            for (const auto& [k, v] : value.items()) {
                if (v.is_number()) {
                    row.values.emplace_back(k, v.get<double>());
                }
            }
            e.modes.push_back(std::move(row));
        } else if (value.is_string()) {
            e.info.emplace_back(key, value.get<std::string>());
        } else if (value.is_number()) {
            e.info.emplace_back(key, num(value.get<double>()));
        }
    }
    if (e.modes.empty()) {
        throw file_error(file, 0,
                         "no scoring mode (an object such as \"frozen\": {...}) in the JSON: is "
                         "it the output of 'hebllm eval --json'?");
    }
    return e;
}

spike_recording read_spikes(const std::filesystem::path& path, double dt_ms) {
    if (spike_format_for(path) == spike_format_kind::binary) {
        return read_spikes_binary(path);
    }
    const std::string file = path.string();
    if (!(dt_ms > 0.0)) {
        throw file_error(file, 0, "a CSV spike recording needs the time step (dt_ms) of its run");
    }
    const std::vector<input_spike> rows = read_input_spikes_csv(path);
    spike_recording r;
    r.dt_ms = dt_ms;
    r.spikes.reserve(rows.size());
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const double steps = rows[i].time_ms / dt_ms;
        const double whole = std::nearbyint(steps);
        if (whole < 0.0 || std::abs(steps - whole) > 1e-6) {
            throw file_error(file, i + 2,
                             "time_ms " + num(rows[i].time_ms) +
                                 " is not a whole number of steps of dt_ms = " + num(dt_ms));
        }
        r.spikes.push_back({rows[i].neuron, static_cast<std::int64_t>(whole)});
    }
    std::sort(r.spikes.begin(), r.spikes.end(), [](const spike_event& a, const spike_event& b) {
        return a.step != b.step ? a.step < b.step : a.neuron < b.neuron;
    });
    return r;
}

// ---- the page -----------------------------------------------------------------------------------

std::string render_html_report(const html_report_input& in) {
    const layout l = make_layout(in);
    const std::string spikes_name = in.spikes_name.empty() ? "the spike recording" : in.spikes_name;
    double duration_ms = in.duration_ms;
    if (in.has_spikes) {
        if (!(in.recording.dt_ms > 0.0)) {
            throw file_error(spikes_name, 0, "the recording has no time step (dt_ms)");
        }
        for (const spike_event& e : in.recording.spikes) {
            if (e.neuron >= l.total()) {
                throw file_error(spikes_name, 0,
                                 "neuron id " + u64(e.neuron) + " is outside the network of " +
                                     u64(l.total()) + " neurons (ids 0.." +
                                     (l.total() > 0 ? u64(l.total() - 1) : std::string("")) +
                                     "): is it the recording of another network?");
            }
            if (e.step < 0) {
                throw file_error(spikes_name, 0, "a spike has a negative step");
            }
        }
        if (!in.recording.spikes.empty()) {
            duration_ms =
                std::max(duration_ms, static_cast<double>(in.recording.spikes.back().step + 1) *
                                          in.recording.dt_ms);
        }
        if (!(duration_ms > 0.0)) {
            duration_ms = in.recording.dt_ms;
        }
    }

    std::string s = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
    s += "<title>" + esc(in.title) + "</title>\n" + style + "</head>\n<body>\n";
    s += "<h1>" + esc(in.title) + "</h1>\n";
    std::vector<std::pair<std::string, std::string>> summary = in.sources;
    summary.emplace_back("neurons", u64(l.total()));
    std::string pops;
    for (std::size_t p = 0; p < l.count(); ++p) {
        pops += (p == 0 ? "" : ", ") + l.names[p] + " (" + u64(l.size(p)) + ")";
    }
    summary.emplace_back("populations", pops);
    if (in.has_spikes) {
        summary.emplace_back("time step", num(in.recording.dt_ms) + " ms");
        summary.emplace_back("duration shown", num(duration_ms) + " ms");
        summary.emplace_back("spikes recorded", u64(in.recording.spikes.size()));
        summary.emplace_back(
            "mean rate",
            num(l.total() > 0 ? static_cast<double>(in.recording.spikes.size()) /
                                    (static_cast<double>(l.total()) * duration_ms / 1000.0)
                              : 0.0) +
                " Hz");
    }
    if (in.has_weights) {
        summary.emplace_back("synapses", u64(in.synapses.size()));
    }
    s += kv_table(summary);

    if (in.has_spikes) {
        s += raster_section(in, l, duration_ms);
        s += rates_section(in, l, duration_ms);
        s += isi_section(in, l, duration_ms);
    } else {
        s += "<p class=\"note\">No spike recording given: no raster, rates or intervals.</p>\n";
    }
    if (in.has_weights) {
        s += weights_section(in, l);
    }
    if (!in.learning_curve.empty()) {
        s += curve_section(in);
    }
    if (!in.eval.modes.empty()) {
        s += eval_section(in.eval);
    }
    s += "<p class=\"note\">Made by hebllm report. Self-contained: no scripts, no external "
         "files.</p>\n";
    s += "</body>\n</html>\n";
    return s;
}

void write_html_report(const std::filesystem::path& html, const html_report_input& input) {
    io_detail::write_file_atomic(html, render_html_report(input));
}

}  // namespace hebllm

#include "server/metrics.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <mutex>

namespace vivarium::server {

struct MetricsRegistry::Series {
  Type type = Type::Counter;
  std::string labels;  // rendered: a="x",b="y" (no braces), sorted by name
  Counter counter;
  Gauge gauge;
  std::unique_ptr<Histogram> histogram;
  std::function<double()> sample;  // gauge_fn
};

struct MetricsRegistry::Family {
  Type type = Type::Counter;
  std::string help;
  std::map<std::string, std::unique_ptr<Series>> series;  // by rendered labels
};

namespace {

std::string valid_name(std::string_view n, bool allow_colon) {
  std::string out(n.empty() ? "_" : n);
  for (size_t i = 0; i < out.size(); ++i) {
    char c = out[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
              (allow_colon && c == ':') || (i > 0 && c >= '0' && c <= '9');
    if (!ok) out[i] = '_';
  }
  return out;
}

void escape_into(std::string& out, std::string_view v, bool quote) {
  for (char c : v) {
    if (c == '\\') out += "\\\\";
    else if (c == '\n') out += "\\n";
    else if (quote && c == '"') out += "\\\"";
    else out += c;
  }
}

std::string render_labels(const Labels& labels) {
  Labels sorted = labels;
  std::sort(sorted.begin(), sorted.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  std::string out;
  for (const auto& [k, v] : sorted) {
    if (!out.empty()) out += ',';
    out += valid_name(k, false);
    out += "=\"";
    escape_into(out, v, true);
    out += '"';
  }
  return out;
}

void append_number(std::string& out, double v) {
  if (std::isnan(v)) { out += "NaN"; return; }
  if (std::isinf(v)) { out += v > 0 ? "+Inf" : "-Inf"; return; }
  char buf[32];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}

void append_series(std::string& out, std::string_view name, std::string_view labels,
                   std::string_view extra_label = {}) {
  out += name;
  if (!labels.empty() || !extra_label.empty()) {
    out += '{';
    out += labels;
    if (!labels.empty() && !extra_label.empty()) out += ',';
    out += extra_label;
    out += '}';
  }
  out += ' ';
}

const char* type_name(MetricsRegistry::Type t) {
  switch (t) {
    case MetricsRegistry::Type::Counter: return "counter";
    case MetricsRegistry::Type::Gauge: return "gauge";
    case MetricsRegistry::Type::Histogram: return "histogram";
  }
  return "untyped";
}

}  // namespace

Histogram::Histogram(std::vector<double> upper_bounds) : bounds_(std::move(upper_bounds)) {
  std::sort(bounds_.begin(), bounds_.end());
  buckets_ = std::make_unique<std::atomic<uint64_t>[]>(bounds_.size() + 1);
  for (size_t i = 0; i <= bounds_.size(); ++i) buckets_[i].store(0, std::memory_order_relaxed);
}

void Histogram::observe(double v) {
  // Few buckets: a linear scan beats a binary search's branches.
  size_t i = 0;
  while (i < bounds_.size() && v > bounds_[i]) ++i;
  buckets_[i].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(v, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
}

std::vector<uint64_t> Histogram::cumulative() const {
  std::vector<uint64_t> out(bounds_.size() + 1);
  uint64_t acc = 0;
  for (size_t i = 0; i <= bounds_.size(); ++i) {
    acc += buckets_[i].load(std::memory_order_relaxed);
    out[i] = acc;
  }
  return out;
}

const std::vector<double>& default_latency_buckets() {
  static const std::vector<double> b = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01,
                                        0.025,  0.05,    0.1,    0.25,  0.5,    1,     2.5,
                                        5,      10};
  return b;
}

MetricsRegistry::MetricsRegistry() = default;
MetricsRegistry::~MetricsRegistry() = default;

MetricsRegistry::Series* MetricsRegistry::find_or_add(Type type, std::string_view raw_name,
                                                      const Labels& labels, std::string_view help,
                                                      const std::vector<double>* buckets) {
  std::string name = valid_name(raw_name, true);
  std::string rendered = render_labels(labels);
  std::string key = name + '{' + rendered;
  {
    std::shared_lock lock(mu_);
    auto it = index_.find(key);
    if (it != index_.end() && it->second->type == type) return it->second;
  }
  std::unique_lock lock(mu_);
  auto fam_it = families_.find(name);
  if (fam_it == families_.end()) {
    auto fam = std::make_unique<Family>();
    fam->type = type;
    fam_it = families_.emplace(name, std::move(fam)).first;
  }
  Family& fam = *fam_it->second;
  auto make_series = [&] {
    auto s = std::make_unique<Series>();
    s->type = type;
    s->labels = rendered;
    if (type == Type::Histogram) s->histogram = std::make_unique<Histogram>(*buckets);
    return s;
  };
  if (fam.type != type) {
    // A programming mistake, not a reason to fail a request: count it.
    rejected_.push_back(make_series());
    Series* bad = rejected_.back().get();
    lock.unlock();
    counter("vivarium_metrics_errors_total", {},
            "Metrics registered twice with different types (never rendered)")
        .inc();
    return bad;
  }
  if (fam.help.empty() && !help.empty()) fam.help = std::string(help);
  auto [sit, inserted] = fam.series.try_emplace(rendered);
  if (inserted) {
    sit->second = make_series();
    index_.emplace(std::move(key), sit->second.get());
  }
  return sit->second.get();
}

Counter& MetricsRegistry::counter(std::string_view name, const Labels& labels, std::string_view help) {
  return find_or_add(Type::Counter, name, labels, help, nullptr)->counter;
}

Gauge& MetricsRegistry::gauge(std::string_view name, const Labels& labels, std::string_view help) {
  return find_or_add(Type::Gauge, name, labels, help, nullptr)->gauge;
}

Histogram& MetricsRegistry::histogram(std::string_view name, const Labels& labels,
                                      std::string_view help, const std::vector<double>& buckets) {
  return *find_or_add(Type::Histogram, name, labels, help, &buckets)->histogram;
}

void MetricsRegistry::gauge_fn(std::string_view name, const Labels& labels, std::string_view help,
                               std::function<double()> sample) {
  Series* s = find_or_add(Type::Gauge, name, labels, help, nullptr);
  std::unique_lock lock(mu_);
  s->sample = std::move(sample);
}

std::string MetricsRegistry::render() const {
  std::shared_lock lock(mu_);
  std::string out;
  for (const auto& [name, fam] : families_) {
    if (!fam->help.empty()) {
      out += "# HELP " + name + ' ';
      escape_into(out, fam->help, false);
      out += '\n';
    }
    out += "# TYPE " + name + ' ' + type_name(fam->type) + '\n';
    for (const auto& [labels, s] : fam->series) {
      switch (fam->type) {
        case Type::Counter:
          append_series(out, name, labels);
          out += std::to_string(s->counter.value());
          out += '\n';
          break;
        case Type::Gauge:
          append_series(out, name, labels);
          append_number(out, s->sample ? s->sample() : s->gauge.value());
          out += '\n';
          break;
        case Type::Histogram: {
          const Histogram& h = *s->histogram;
          std::vector<uint64_t> cum = h.cumulative();
          std::string bucket = name + "_bucket";
          for (size_t i = 0; i <= h.bounds().size(); ++i) {
            std::string le = "le=\"";
            if (i < h.bounds().size()) append_number(le, h.bounds()[i]);
            else le += "+Inf";
            le += '"';
            append_series(out, bucket, labels, le);
            out += std::to_string(cum[i]);
            out += '\n';
          }
          append_series(out, name + "_sum", labels);
          append_number(out, h.sum());
          out += '\n';
          append_series(out, name + "_count", labels);
          out += std::to_string(cum.back());
          out += '\n';
          break;
        }
      }
    }
  }
  return out;
}

}  // namespace vivarium::server

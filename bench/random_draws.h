// The seeded draws the benchmarks' data generators share: a random source with the
// distributions they use, and weighted choices among named values.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

namespace crm::bench {

class Random {
 public:
  explicit Random(uint64_t seed) : engine_(seed) {}
  double Uniform() { return std::uniform_real_distribution<double>(0, 1)(engine_); }
  int64_t Below(int64_t n) { return std::uniform_int_distribution<int64_t>(0, n - 1)(engine_); }
  bool Chance(double p) { return Uniform() < p; }
  double Exponential(double mean) { return std::exponential_distribution<double>(1.0 / mean)(engine_); }
  double LogNormal(double log_median, double sigma) {
    return std::lognormal_distribution<double>(log_median, sigma)(engine_);
  }
  // Pareto with minimum 1 and tail index `alpha`.
  double Pareto(double alpha) { return std::pow(1.0 - Uniform(), -1.0 / alpha); }

 private:
  std::mt19937_64 engine_;
};

// A value and how often it is drawn relative to the others.
struct Weighted {
  const char* name;
  double weight;
};

// Draws an index with probability proportional to its weight.
class Chooser {
 public:
  explicit Chooser(const std::vector<double>& weights) {
    double total = 0;
    cumulative_.reserve(weights.size());
    for (double w : weights) cumulative_.push_back(total += w);
  }
  size_t Pick(Random& random) const {
    const double x = random.Uniform() * cumulative_.back();
    const size_t i = std::upper_bound(cumulative_.begin(), cumulative_.end(), x) - cumulative_.begin();
    return std::min(i, cumulative_.size() - 1);
  }

 private:
  std::vector<double> cumulative_;
};

inline std::vector<double> WeightsOf(const std::vector<Weighted>& values) {
  std::vector<double> weights;
  for (const Weighted& v : values) weights.push_back(v.weight);
  return weights;
}

}  // namespace crm::bench

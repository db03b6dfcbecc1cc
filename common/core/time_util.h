// Conversions between protobuf Timestamps, absl::Time and the microsecond integers the
// database stores (UTC, identical on every backend).
#pragma once

#include <cstdint>
#include <limits>

#include "absl/time/time.h"
#include "google/protobuf/timestamp.pb.h"

namespace crm {

inline int64_t ToMicros(absl::Time t) { return absl::ToUnixMicros(t); }
inline absl::Time FromMicros(int64_t micros) { return absl::FromUnixMicros(micros); }

// Total over every Timestamp a request can carry: one beyond the int64 microsecond range (which
// validation refuses anyway, often after a comparison has already converted it) saturates
// instead of overflowing.
inline int64_t TimestampToMicros(const google::protobuf::Timestamp& ts) {
  // The margin leaves room for nanos / 1000 (at most 2147483 either way).
  constexpr int64_t kMaxSeconds = std::numeric_limits<int64_t>::max() / 1000000 - 3;
  if (ts.seconds() > kMaxSeconds) return std::numeric_limits<int64_t>::max();
  if (ts.seconds() < -kMaxSeconds) return std::numeric_limits<int64_t>::min();
  return ts.seconds() * 1000000 + ts.nanos() / 1000;
}

inline google::protobuf::Timestamp MicrosToTimestamp(int64_t micros) {
  google::protobuf::Timestamp ts;
  int64_t seconds = micros / 1000000;
  int64_t rest = micros % 1000000;
  if (rest < 0) {
    rest += 1000000;
    --seconds;
  }
  ts.set_seconds(seconds);
  ts.set_nanos(static_cast<int32_t>(rest * 1000));
  return ts;
}

inline google::protobuf::Timestamp TimeToTimestamp(absl::Time t) {
  return MicrosToTimestamp(ToMicros(t));
}

inline absl::Time TimestampToTime(const google::protobuf::Timestamp& ts) {
  return FromMicros(TimestampToMicros(ts));
}

}  // namespace crm

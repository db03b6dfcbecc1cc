// Conversions between protobuf Timestamps, absl::Time and the microsecond integers the
// database stores (UTC, identical on every backend).
#pragma once

#include <cstdint>

#include "absl/time/time.h"
#include "google/protobuf/timestamp.pb.h"

namespace crm {

inline int64_t ToMicros(absl::Time t) { return absl::ToUnixMicros(t); }
inline absl::Time FromMicros(int64_t micros) { return absl::FromUnixMicros(micros); }

inline int64_t TimestampToMicros(const google::protobuf::Timestamp& ts) {
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

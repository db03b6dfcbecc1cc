#include "common/core/ids.h"

#include <openssl/rand.h>

#include <array>
#include <cstdint>
#include <mutex>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace crm {
namespace {

constexpr char kAlphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

struct Generator {
  std::mutex mu;
  uint64_t last_ms = 0;
  std::array<uint8_t, 10> last_random{};
};

Generator& TheGenerator() {
  static Generator generator;
  return generator;
}

std::string Encode(uint64_t ms, const std::array<uint8_t, 10>& random) {
  // 16 bytes = 128 bits; 26 base32 digits cover 130 bits, the top two are zero.
  std::array<uint8_t, 16> bytes{};
  for (int i = 0; i < 6; ++i) bytes[i] = static_cast<uint8_t>(ms >> (8 * (5 - i)));
  for (int i = 0; i < 10; ++i) bytes[6 + i] = random[i];
  std::string out(26, '0');
  // Read the 128 bits as a big number, 5 bits at a time from the least significant end.
  unsigned __int128 value = 0;
  for (uint8_t b : bytes) value = (value << 8) | b;
  for (int i = 25; i >= 0; --i) {
    out[i] = kAlphabet[static_cast<int>(value & 0x1F)];
    value >>= 5;
  }
  return out;
}

}  // namespace

std::string NewIdAt(absl::string_view prefix, absl::Time time) {
  const int64_t now_ms = absl::ToUnixMillis(time);
  const uint64_t ms = now_ms < 0 ? 0 : static_cast<uint64_t>(now_ms);
  Generator& gen = TheGenerator();
  std::array<uint8_t, 10> random{};
  {
    std::lock_guard<std::mutex> lock(gen.mu);
    if (ms == gen.last_ms) {
      // Same millisecond: increment the previous random part so ids stay ordered.
      random = gen.last_random;
      for (int i = 9; i >= 0; --i) {
        if (++random[i] != 0) break;
      }
      gen.last_random = random;
      return absl::StrCat(prefix, "_", Encode(gen.last_ms, random));
    }
    RAND_bytes(random.data(), static_cast<int>(random.size()));
    random[0] &= 0x7F;  // leave headroom for increments within one millisecond
    // Ids of the same millisecond stay ordered as long as they are asked for one after another
    // (the live clock, or a fake clock in tests); a jump to another millisecond starts afresh.
    gen.last_ms = ms;
    gen.last_random = random;
  }
  return absl::StrCat(prefix, "_", Encode(ms, random));
}

std::string NewId(absl::string_view prefix) { return NewIdAt(prefix, absl::Now()); }

bool HasIdShape(absl::string_view id, absl::string_view prefix) {
  if (id.size() != prefix.size() + 1 + 26) return false;
  if (id.substr(0, prefix.size()) != prefix || id[prefix.size()] != '_') return false;
  for (char c : id.substr(prefix.size() + 1)) {
    bool found = false;
    for (const char* a = kAlphabet; *a; ++a) found = found || *a == c;
    if (!found) return false;
  }
  return true;
}

}  // namespace crm

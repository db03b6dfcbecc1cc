#include "common/core/page_token.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "common/core/errors.h"

namespace crm {
namespace {

constexpr size_t kMacBytes = 16;
constexpr char kVersion = 1;

void AppendLengthPrefixed(std::string* out, absl::string_view value) {
  uint32_t n = static_cast<uint32_t>(value.size());
  for (int i = 0; i < 4; ++i) out->push_back(static_cast<char>((n >> (8 * i)) & 0xFF));
  out->append(value.data(), value.size());
}

}  // namespace

absl::StatusOr<int> ResolvePageSize(int requested, absl::string_view field) {
  if (requested < 0) return InvalidField(field, "must not be negative");
  if (requested == 0) return kDefaultPageSize;
  return requested > kMaxPageSize ? kMaxPageSize : requested;
}

absl::Status InvalidPageToken(absl::string_view field) {
  return InvalidField(field, "is not a page token issued for this query");
}

PageTokenCodec::PageTokenCodec(std::string secret) : secret_(std::move(secret)) {}

std::string PageTokenCodec::Mac(absl::string_view scope, absl::string_view query,
                                absl::string_view payload) const {
  std::string message;
  AppendLengthPrefixed(&message, scope);
  AppendLengthPrefixed(&message, query);
  message.append(payload.data(), payload.size());
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_len = 0;
  HMAC(EVP_sha256(), secret_.data(), static_cast<int>(secret_.size()),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(), digest, &digest_len);
  return std::string(reinterpret_cast<char*>(digest), kMacBytes);
}

std::string PageTokenCodec::Encode(absl::string_view scope, absl::string_view query_fingerprint,
                                   const std::vector<std::string>& cursor) const {
  std::string payload(1, kVersion);
  for (const std::string& value : cursor) AppendLengthPrefixed(&payload, value);
  std::string raw = payload + Mac(scope, query_fingerprint, payload);
  return absl::WebSafeBase64Escape(raw);
}

absl::StatusOr<std::vector<std::string>> PageTokenCodec::Decode(absl::string_view token,
                                                                absl::string_view scope,
                                                                absl::string_view query_fingerprint,
                                                                absl::string_view field) const {
  const auto invalid = [&] { return InvalidPageToken(field); };
  if (token.size() > 4096) return invalid();
  std::string raw;
  // Only the canonical spelling is accepted: base64 can carry ignored trailing bits.
  if (!absl::WebSafeBase64Unescape(token, &raw) || raw.size() < 1 + kMacBytes ||
      absl::WebSafeBase64Escape(raw) != token) {
    return invalid();
  }
  const absl::string_view payload(raw.data(), raw.size() - kMacBytes);
  const std::string expected = Mac(scope, query_fingerprint, payload);
  if (CRYPTO_memcmp(expected.data(), raw.data() + payload.size(), kMacBytes) != 0) return invalid();
  if (payload[0] != kVersion) return invalid();
  std::vector<std::string> cursor;
  size_t pos = 1;
  while (pos < payload.size()) {
    if (pos + 4 > payload.size()) return invalid();
    uint32_t n = 0;
    for (int i = 0; i < 4; ++i) n |= static_cast<uint32_t>(static_cast<unsigned char>(payload[pos + i])) << (8 * i);
    pos += 4;
    if (pos + n > payload.size()) return invalid();
    cursor.emplace_back(payload.substr(pos, n));
    pos += n;
  }
  return cursor;
}

}  // namespace crm

#include <memory>

#include "google/protobuf/descriptor.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "google/protobuf/message.h"

namespace crm {

std::string ListQueryFingerprint(const google::protobuf::Message& request) {
  std::unique_ptr<google::protobuf::Message> copy(request.New());
  copy->CopyFrom(request);
  const auto* descriptor = copy->GetDescriptor();
  for (const char* name : {"page_token", "page_size"}) {
    if (const auto* field = descriptor->FindFieldByName(name)) copy->GetReflection()->ClearField(copy.get(), field);
  }
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream stream(&bytes);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    copy->SerializeToCodedStream(&coded);
  }
  return absl::StrCat(descriptor->full_name(), ":", bytes);
}

}  // namespace crm

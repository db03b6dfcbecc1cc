// Opaque, tamper-evident keyset page tokens and page-size rules shared by every List method.
//
// A token carries the sort key of the last row returned. It is signed with HMAC-SHA256 over the
// list method's scope and a fingerprint of the query (filter + order), so a forged token, a
// token edited by hand, or a token from another list or another filter is refused with
// INVALID_ARGUMENT naming `page_token`.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace crm {

inline constexpr int kDefaultPageSize = 50;
inline constexpr int kMaxPageSize = 1000;

// 0 → default; above the maximum → the maximum; negative → INVALID_ARGUMENT.
absl::StatusOr<int> ResolvePageSize(int requested, absl::string_view field = "page_size");

// The INVALID_ARGUMENT for a token that is not one this list issued for this query.
absl::Status InvalidPageToken(absl::string_view field = "page_token");

class PageTokenCodec {
 public:
  // `secret` must be the same in every process serving one database (it lives in the database).
  explicit PageTokenCodec(std::string secret);

  std::string Encode(absl::string_view scope, absl::string_view query_fingerprint,
                     const std::vector<std::string>& cursor) const;
  // The cursor written by Encode, or INVALID_ARGUMENT on field `field`.
  absl::StatusOr<std::vector<std::string>> Decode(absl::string_view token, absl::string_view scope,
                                                  absl::string_view query_fingerprint,
                                                  absl::string_view field = "page_token") const;

 private:
  std::string Mac(absl::string_view scope, absl::string_view query, absl::string_view payload) const;
  std::string secret_;
};

}  // namespace crm

namespace google::protobuf {
class Message;
}

namespace crm {

// A fingerprint of a List request's query: the request with page_token and page_size cleared,
// serialized deterministically. Tokens are only valid for the same query.
std::string ListQueryFingerprint(const google::protobuf::Message& request);

}  // namespace crm

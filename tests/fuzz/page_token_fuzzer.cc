// Fuzz target: page tokens (PageTokenCodec, KeysetPage, ResolvePageSize, ListQueryFingerprint).
//
// Besides "never crash", it checks the codec's promises: a token decodes to the cursor it was
// made from, only for its own scope and query; an edited token is refused; a token signed with
// the right key but carrying any payload at all is parsed without reading out of bounds.
#include <fuzzer/FuzzedDataProvider.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "common/core/keyset_page.h"
#include "common/core/page_token.h"
#include "crm/v1/account.pb.h"
#include "crm/v1/pipeline.pb.h"
#include "crm/v1/servicedesk.pb.h"

namespace {

constexpr char kSecret[] = "fuzz-page-token-secret";

void Check(bool ok, const char* what) {
  if (ok) return;
  std::fprintf(stderr, "page token fuzz: %s\n", what);
  std::abort();
}

void AppendLengthPrefixed(std::string* out, const std::string& value) {
  const auto n = static_cast<uint32_t>(value.size());
  for (int i = 0; i < 4; ++i) out->push_back(static_cast<char>((n >> (8 * i)) & 0xFF));
  *out += value;
}

// A token with `payload` signed as the codec signs (the layout is the codec's, repeated here so
// that the parser behind the signature check gets arbitrary payloads too).
std::string SignedToken(const std::string& scope, const std::string& query, const std::string& payload) {
  std::string message;
  AppendLengthPrefixed(&message, scope);
  AppendLengthPrefixed(&message, query);
  message += payload;
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), kSecret, sizeof(kSecret) - 1, reinterpret_cast<const unsigned char*>(message.data()),
       message.size(), digest, &length);
  return absl::WebSafeBase64Escape(payload + std::string(reinterpret_cast<char*>(digest), 16));
}

// The keyset flow on a List request parsed from fuzz bytes: its own token works, one for another
// query does not change the fingerprint, and a page keeps at most page_size rows.
template <typename ListRequest>
void KeysetFlow(FuzzedDataProvider& input, const crm::PageTokenCodec& codec, const std::vector<std::string>& cursor) {
  ListRequest request;
  if (!request.ParseFromString(input.ConsumeRandomLengthString(512))) request.Clear();
  const std::string fingerprint = crm::ListQueryFingerprint(request);
  const size_t arity = input.ConsumeIntegralInRange<size_t>(1, 3);
  request.set_page_token(input.ConsumeBool() ? codec.Encode("fuzz.list", fingerprint, cursor)
                                             : input.ConsumeRandomLengthString(128));
  request.set_page_size(input.ConsumeIntegral<int32_t>());
  Check(crm::ListQueryFingerprint(request) == fingerprint, "page token or size changed the query fingerprint");
  absl::StatusOr<crm::KeysetPage> page = crm::KeysetPage::Open(codec, "fuzz.list", request, 10, arity);
  if (!page.ok()) return;
  Check(page->first() || page->cursor().size() == arity, "a page opened with a cursor of another arity");
  for (size_t i = 0; i <= page->cursor().size(); ++i) (void)page->IntAt(i);
  std::vector<int> rows(input.ConsumeIntegralInRange<size_t>(0, 12));
  const std::string next = page->Finish(&rows, [](int row) { return crm::KeysetPage::Cursor{std::to_string(row)}; });
  Check(rows.size() <= 10, "Finish kept more rows than the page size");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider input(data, size);
  static const crm::PageTokenCodec codec(kSecret);

  const int requested = input.ConsumeIntegral<int>();
  absl::StatusOr<int> page_size = crm::ResolvePageSize(requested);
  Check(page_size.ok() == (requested >= 0), "ResolvePageSize refused a size >= 0 or took a negative one");
  if (page_size.ok()) Check(*page_size >= 1 && *page_size <= crm::kMaxPageSize, "page size out of range");

  const std::string scope = input.ConsumeRandomLengthString(32);
  const std::string query = input.ConsumeRandomLengthString(64);
  std::vector<std::string> cursor(input.ConsumeIntegralInRange<size_t>(0, 4));
  for (std::string& value : cursor) value = input.ConsumeRandomLengthString(64);

  // Round trip, and no use in another scope or query.
  const std::string token = codec.Encode(scope, query, cursor);
  absl::StatusOr<std::vector<std::string>> decoded = codec.Decode(token, scope, query);
  if (token.size() <= 4096) {
    Check(decoded.ok() && *decoded == cursor, "a token did not decode to its cursor");
  }
  Check(!codec.Decode(token, scope + "x", query).ok(), "a token was accepted in another scope");
  Check(!codec.Decode(token, scope, query + "x").ok(), "a token was accepted for another query");

  // An edited token is refused (or, edited back to itself, decodes as before).
  std::string edited = token;
  switch (input.ConsumeIntegralInRange(0, 3)) {
    case 0:
      if (!edited.empty()) edited[input.ConsumeIntegralInRange<size_t>(0, edited.size() - 1)] = input.ConsumeIntegral<char>();
      break;
    case 1: edited.resize(input.ConsumeIntegralInRange<size_t>(0, edited.size())); break;
    case 2: edited += input.ConsumeRandomLengthString(8); break;
    default: edited.insert(0, input.ConsumeRandomLengthString(8)); break;
  }
  absl::StatusOr<std::vector<std::string>> edited_decoded = codec.Decode(edited, scope, query);
  if (edited != token) Check(!edited_decoded.ok(), "an edited token was accepted");

  // Any payload behind a valid signature.
  const std::string payload = input.ConsumeRandomLengthString(256);
  (void)codec.Decode(SignedToken(scope, query, payload), scope, query);

  switch (input.ConsumeIntegralInRange(0, 2)) {
    case 0: KeysetFlow<crm::v1::ListAccountsRequest>(input, codec, cursor); break;
    case 1: KeysetFlow<crm::v1::ListOpportunitiesRequest>(input, codec, cursor); break;
    default: KeysetFlow<crm::v1::ListTicketsRequest>(input, codec, cursor); break;
  }
  // Fuzz text straight into Decode.
  (void)codec.Decode(input.ConsumeRemainingBytesAsString(), scope, query);
  return 0;
}

#include "common/core/keyset_page.h"

#include "absl/strings/numbers.h"
#include "google/protobuf/message.h"

namespace crm {

absl::StatusOr<KeysetPage> KeysetPage::Open(const PageTokenCodec& codec, absl::string_view scope,
                                            const google::protobuf::Message& request, const std::string& page_token,
                                            int page_size, size_t arity) {
  KeysetPage page(codec, scope, ListQueryFingerprint(request), page_size);
  if (page_token.empty()) return page;
  absl::StatusOr<Cursor> cursor = codec.Decode(page_token, scope, page.fingerprint_);
  if (!cursor.ok()) return cursor.status();
  // A well-signed token of another arity comes from an older layout of this list.
  if (cursor->size() != arity) return InvalidPageToken();
  page.cursor_ = *std::move(cursor);
  return page;
}

absl::StatusOr<int64_t> KeysetPage::IntAt(size_t i) const {
  int64_t value = 0;
  if (i >= cursor_.size() || !absl::SimpleAtoi(cursor_[i], &value)) return InvalidPageToken();
  return value;
}

std::string KeysetPage::Encode(const Cursor& cursor) const { return codec_->Encode(scope_, fingerprint_, cursor); }

}  // namespace crm

// The keyset List flow every List method shares, written once: the request's page token becomes
// the cursor the store continues after, one row more than the page is fetched to learn whether
// another page follows, and the next token is made from the last row kept.
//
//   absl::StatusOr<int> page_size = ResolvePageSize(request.page_size());  // before other checks
//   ... validate the request ...
//   absl::StatusOr<KeysetPage> page = KeysetPage::Open(*rt.page_tokens, kListScope, request, *page_size, 2);
//   if (!page.ok()) return page.status();
//   if (!page->first()) { query.after_key = page->cursor()[0]; query.after_id = page->cursor()[1]; }
//   query.limit = page->fetch_limit();
//   ... rows = Store::List(sql, query) ...
//   response.set_next_page_token(page->Finish(&rows, [](const Row& r) { return KeysetPage::Cursor{Key(r), r.id()}; }));
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/core/page_token.h"

namespace crm {

class KeysetPage {
 public:
  // A row's position in the list order: its sort key values, the id last.
  using Cursor = std::vector<std::string>;

  // The page `request` (a List request with page_token) asks for. Its token must have been issued
  // for `scope` and the same query (ListQueryFingerprint) and carry `arity` values; otherwise
  // INVALID_ARGUMENT naming page_token. `page_size` is already resolved (ResolvePageSize).
  template <typename ListRequest>
  static absl::StatusOr<KeysetPage> Open(const PageTokenCodec& codec, absl::string_view scope,
                                         const ListRequest& request, int page_size, size_t arity) {
    return Open(codec, scope, request, request.page_token(), page_size, arity);
  }

  // True when the request carried no token.
  bool first() const { return cursor_.empty(); }
  // The position to continue after; empty on the first page.
  const Cursor& cursor() const { return cursor_; }
  // cursor()[i] read as an integer (keys that are times in microseconds); INVALID_ARGUMENT naming
  // page_token when it is not one.
  absl::StatusOr<int64_t> IntAt(size_t i) const;
  // Rows to ask the store for: the extra one tells whether another page follows.
  int fetch_limit() const { return page_size_ + 1; }

  // Drops the extra row from `rows` (fetched with fetch_limit(), in list order) and returns the
  // token for the next page, or "" when this page is the last. `cursor_of(row)` is the row's
  // Cursor, with `arity` values.
  template <typename Row, typename CursorOf>
  std::string Finish(std::vector<Row>* rows, CursorOf&& cursor_of) const {
    if (static_cast<int>(rows->size()) <= page_size_) return std::string();
    rows->erase(rows->begin() + page_size_, rows->end());
    return Encode(std::forward<CursorOf>(cursor_of)(rows->back()));
  }

 private:
  static absl::StatusOr<KeysetPage> Open(const PageTokenCodec& codec, absl::string_view scope,
                                         const google::protobuf::Message& request, const std::string& page_token,
                                         int page_size, size_t arity);
  KeysetPage(const PageTokenCodec& codec, absl::string_view scope, std::string fingerprint, int page_size)
      : codec_(&codec), scope_(scope), fingerprint_(std::move(fingerprint)), page_size_(page_size) {}
  std::string Encode(const Cursor& cursor) const;

  const PageTokenCodec* codec_;
  std::string scope_;
  std::string fingerprint_;
  int page_size_;
  Cursor cursor_;
};

}  // namespace crm

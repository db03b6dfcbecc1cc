// Tag lists kept in one text column as "|a|b|" (empty: no tags), so that a containment filter
// on "|tag|" finds one tag exactly and never a tag that merely contains it.
#pragma once

#include <string>

#include <google/protobuf/repeated_ptr_field.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"

namespace crm::db {

inline std::string EncodeTags(const google::protobuf::RepeatedPtrField<std::string>& tags) {
  if (tags.empty()) return "";
  return absl::StrCat("|", absl::StrJoin(tags, "|"), "|");
}

inline void DecodeTags(absl::string_view stored, google::protobuf::RepeatedPtrField<std::string>* tags) {
  for (absl::string_view tag : absl::StrSplit(stored, '|', absl::SkipEmpty())) tags->Add(std::string(tag));
}

// How one tag appears inside the column: what a containment filter looks for.
inline std::string EncodedTag(absl::string_view tag) { return absl::StrCat("|", tag, "|"); }

}  // namespace crm::db

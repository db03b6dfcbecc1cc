// Tag lists kept in one text column as "|a|b|" (empty: no tags), so that a containment filter
// on "|tag|" finds one tag exactly and never a tag that merely contains it.
#pragma once

#include <cstddef>
#include <string>

#include <google/protobuf/repeated_ptr_field.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "absl/strings/string_view.h"
#include "common/core/validation.h"

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

inline constexpr size_t kMaxTags = 50;
inline constexpr size_t kMaxTagLength = 50;

// The violations of a tag list, as `field` ("account.tags") and `field[i]`: at most kMaxTags,
// each a short text without '|' (the column's separator).
inline void ValidateTags(const google::protobuf::RepeatedPtrField<std::string>& tags, absl::string_view field,
                         Validator& v) {
  v.Check(static_cast<size_t>(tags.size()) <= kMaxTags, field, absl::StrCat("at most ", kMaxTags, " tags"));
  for (int i = 0; i < tags.size() && i < static_cast<int>(kMaxTags); ++i) {
    const std::string tag_field = absl::StrCat(field, "[", i, "]");
    v.RequiredText(tags.Get(i), tag_field, kMaxTagLength);
    v.Check(!absl::StrContains(tags.Get(i), "|"), tag_field, "must not contain '|'");
  }
}

// Trims every tag and drops repeats, keeping the first of each in order.
inline void NormaliseTags(google::protobuf::RepeatedPtrField<std::string>* tags) {
  absl::flat_hash_set<std::string> seen;
  google::protobuf::RepeatedPtrField<std::string> kept;
  for (const std::string& tag : *tags) {
    std::string trimmed = Trimmed(tag);
    if (seen.insert(trimmed).second) *kept.Add() = std::move(trimmed);
  }
  tags->Swap(&kept);
}

}  // namespace crm::db

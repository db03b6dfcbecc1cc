#include "services/events/event_logic.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/core/validation.h"
#include "common/events/outbox.h"

namespace crm::events {
namespace {

constexpr int kDefaultEventPage = 100;
constexpr int kMaxEventPage = 1000;
constexpr int kMaxTypeFilters = 50;

void ValidateFilters(Validator& v, int64_t after, const google::protobuf::RepeatedPtrField<std::string>& types,
                     const std::string& user) {
  v.NonNegative(after, "after_sequence");
  v.Check(types.size() <= kMaxTypeFilters, "types", absl::StrCat("at most ", kMaxTypeFilters, " types"));
  for (int i = 0; i < types.size() && i < kMaxTypeFilters; ++i) {
    v.RequiredText(types.Get(i), absl::StrCat("types[", i, "]"), 100);
  }
  v.OptionalText(user, "user", kMaxShortTextLength);
}

}  // namespace

absl::Status ValidateSubscribe(const crm::v1::SubscribeRequest& request) {
  Validator v;
  ValidateFilters(v, request.after_sequence(), request.types(), request.user());
  return v.status();
}

absl::StatusOr<crm::v1::ListEventsResponse> EventLogic::List(const server::CallContext& call,
                                                             const crm::v1::ListEventsRequest& request) {
  Validator v;
  ValidateFilters(v, request.after_sequence(), request.types(), request.user());
  v.NonNegative(request.page_size(), "page_size");
  if (!v.ok()) return v.status();
  const int page_size = request.page_size() == 0 ? kDefaultEventPage : std::min(request.page_size(), kMaxEventPage);
  absl::StatusOr<std::optional<std::vector<std::string>>> users = call.owners.ListOwners(request.user(), "user");
  if (!users.ok()) return users.status();

  crm::v1::ListEventsResponse response;
  int64_t cursor = request.after_sequence();
  // Type filters are applied after reading, so keep reading until the page is full or the log ends.
  for (;;) {
    const int64_t visible = rt_.hub->latest();
    EventQuery query;
    query.after = cursor;
    query.types.assign(request.types().begin(), request.types().end());
    query.users = *users;
    query.limit = page_size - response.events_size();
    absl::StatusOr<EventPage> page = ReadEvents(*rt_.db, query, call.deadline);
    if (!page.ok()) return page.status();
    for (crm::v1::Event& e : page->events) *response.add_events() = std::move(e);
    cursor = std::max(cursor, page->last_scanned);
    if (!page->more) {
      cursor = std::max(cursor, std::max(visible, cursor));
      break;
    }
    if (response.events_size() >= page_size) break;
  }
  response.set_last_sequence(cursor);
  return response;
}

}  // namespace crm::events

#include "services/accounts/interaction_logic.h"

#include <soci/soci.h>

#include "absl/strings/str_cat.h"
#include "common/core/errors.h"
#include "common/core/field_mask.h"
#include "common/core/ids.h"
#include "common/core/keyset_page.h"
#include "common/core/page_token.h"
#include "common/core/time_util.h"
#include "common/core/validation.h"
#include "common/db/entity_ops.h"
#include "services/accounts/account_logic.h"
#include "services/accounts/interaction_store.h"

namespace crm::accounts {
namespace {

using crm::v1::Interaction;

constexpr char kEntity[] = "interaction";
constexpr char kIdPrefix[] = "int";
constexpr char kLogScope[] = "interactions.log";
constexpr char kListScope[] = "interactions.list";


}  // namespace

absl::Status ValidateInteraction(const Interaction& i, const std::string& prefix) {
  const auto f = [&prefix](const char* field) { return absl::StrCat(prefix, ".", field); };
  Validator v;
  v.RequiredId(i.account_id(), f("account_id"));
  if (!i.contact_id().empty()) v.RequiredId(i.contact_id(), f("contact_id"));
  v.Enum(i.channel(), crm::v1::InteractionChannel_IsValid, f("channel"), true);
  v.Enum(i.direction(), crm::v1::Direction_IsValid, f("direction"), false);
  v.OptionalText(i.subject(), f("subject"), kMaxShortTextLength);
  v.OptionalLongText(i.body(), f("body"));
  v.OptionalTimestamp(i.occur_time(), i.has_occur_time(), f("occur_time"));
  v.OptionalText(i.user(), f("user"), kMaxShortTextLength);
  return v.status();
}

absl::StatusOr<Interaction> InteractionLogic::Log(const server::CallContext& call,
                                                  const crm::v1::LogInteractionRequest& request) {
  Validator request_checks;
  request_checks.Check(request.has_interaction(), "interaction", "is required");
  request_checks.OptionalText(request.request_id(), "request_id", kMaxShortTextLength);
  if (!request_checks.ok()) return request_checks.status();
  if (absl::Status valid = ValidateInteraction(request.interaction(), "interaction"); !valid.ok()) return valid;

  Interaction interaction = request.interaction();
  const absl::Time now = rt_.clock->Now();
  interaction.set_id(NewIdAt(kIdPrefix, now));
  *interaction.mutable_create_time() = TimeToTimestamp(now);
  // Timestamps are stored in microseconds; round here so the answer matches what Get returns.
  *interaction.mutable_occur_time() =
      interaction.has_occur_time() ? MicrosToTimestamp(TimestampToMicros(interaction.occur_time())) : TimeToTimestamp(now);
  if (interaction.user().empty()) interaction.set_user(call.actor);

  return db::CreateOnce<Interaction>(
      *rt_.db, call.deadline, kLogScope, request.request_id(), request, InteractionStore::Find,
      [&](db::Tx& tx) -> absl::StatusOr<Interaction> {
        absl::StatusOr<crm::v1::Account> account =
            FindLiveAccount(tx, interaction.account_id(), "interaction.account_id");
        if (!account.ok()) return account.status();
        if (!interaction.contact_id().empty()) {
          if (absl::Status s = CheckContactOfAccount(tx, interaction.contact_id(), interaction.account_id(),
                                                     "interaction.contact_id");
              !s.ok()) {
            return s;
          }
        }
        if (absl::Status s = InteractionStore::Insert(tx, interaction); !s.ok()) return s;
        // The account's owner is the one following what happens on the account.
        absl::Status event = rt_.outbox->AppendChange(tx, "interaction.logged", kEntity, interaction.id(),
                                                      crm::v1::CHANGE_KIND_CREATED, DiffMessages(nullptr, interaction),
                                                      account->owner(), call.actor, request.request_id(), now);
        if (!event.ok()) return event;
        return interaction;
      });
}

absl::StatusOr<Interaction> InteractionLogic::Get(const server::CallContext& call,
                                                  const crm::v1::GetInteractionRequest& request) {
  if (absl::Status s = Validator().RequiredId(request.id(), "id").status(); !s.ok()) return s;
  return db::ReadEntity<Interaction>(*rt_.db, call.deadline, InteractionStore::Find, request.id(), kEntity);
}

absl::StatusOr<crm::v1::ListInteractionsResponse> InteractionLogic::List(
    const server::CallContext& call, const crm::v1::ListInteractionsRequest& request) {
  absl::StatusOr<int> page_size = ResolvePageSize(request.page_size());
  if (!page_size.ok()) return page_size.status();
  Validator v;
  v.Check(!request.account_id().empty() || !request.contact_id().empty(), "account_id",
          "at least one of account_id and contact_id is required");
  if (!request.account_id().empty()) v.RequiredId(request.account_id(), "account_id");
  if (!request.contact_id().empty()) v.RequiredId(request.contact_id(), "contact_id");
  v.OptionalTimestamp(request.start_time(), request.has_start_time(), "start_time");
  v.OptionalTimestamp(request.end_time(), request.has_end_time(), "end_time");
  if (!v.ok()) return v.status();

  InteractionListQuery query;
  query.account_id = request.account_id();
  query.contact_id = request.contact_id();
  if (request.has_start_time()) query.start_micros = TimestampToMicros(request.start_time());
  if (request.has_end_time()) query.end_micros = TimestampToMicros(request.end_time());
  if (query.start_micros.has_value() && query.end_micros.has_value() && *query.end_micros < *query.start_micros) {
    return InvalidField("end_time", "must not be before start_time");
  }
  absl::StatusOr<KeysetPage> page = KeysetPage::Open(*rt_.page_tokens, kListScope, request, *page_size, 2);
  if (!page.ok()) return page.status();
  if (!page->first()) {
    absl::StatusOr<int64_t> occur = page->IntAt(0);
    if (!occur.ok()) return occur.status();
    query.after_occur_micros = *occur;
    query.after_id = page->cursor()[1];
  }
  query.limit = page->fetch_limit();

  absl::StatusOr<std::vector<Interaction>> rows =
      db::ReadValue(*rt_.db, call.deadline, [&](soci::session& sql) { return InteractionStore::List(sql, query); });
  if (!rows.ok()) return rows.status();
  crm::v1::ListInteractionsResponse response;
  response.set_next_page_token(page->Finish(&*rows, [](const Interaction& last) {
    return KeysetPage::Cursor{std::to_string(TimestampToMicros(last.occur_time())), last.id()};
  }));
  for (Interaction& i : *rows) *response.add_interactions() = std::move(i);
  return response;
}

}  // namespace crm::accounts

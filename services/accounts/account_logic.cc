#include "services/accounts/account_logic.h"

#include <soci/soci.h>

#include "absl/algorithm/container.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/core/errors.h"
#include "common/core/etag.h"
#include "common/db/tags.h"
#include "common/core/field_mask.h"
#include "common/core/ids.h"
#include "common/core/keyset_page.h"
#include "common/core/page_token.h"
#include "common/core/time_util.h"
#include "common/core/validation.h"
#include "common/customfields/custom_field_store.h"
#include "common/customfields/record_fields.h"
#include "common/duplicates/candidate_details.h"
#include "common/duplicates/duplicate_finder.h"
#include "common/duplicates/merge_store.h"
#include "common/db/entity_ops.h"
#include "services/accounts/account_store.h"
#include "services/accounts/contact_store.h"

namespace crm::accounts {
absl::Status MergedAccount(absl::string_view field, const crm::v1::Account& account) {
  return FailedPreconditionField(field, absl::StrCat("the account was merged into \"", account.merged_into_id(),
                                                     "\"; use that one instead"));
}

namespace {

using crm::v1::Account;

constexpr char kCreateScope[] = "accounts.create";
constexpr char kListScope[] = "accounts.list";

absl::Status NotFound(const std::string& field, const std::string& id) {
  return NoSuchEntity(field, kAccountEntity, id);
}

// An account as callers see it: without the values of removed custom fields.
absl::StatusOr<std::optional<Account>> FindVisible(soci::session& sql, const std::string& id) {
  return customfields::Visible(sql, crm::v1::CUSTOM_FIELD_ENTITY_ACCOUNT, AccountStore::Find(sql, id));
}

absl::StatusOr<AccountOrder> ParseOrder(const std::string& order_by, bool* descending) {
  const std::string lowered = absl::AsciiStrToLower(absl::StripAsciiWhitespace(order_by));
  absl::string_view rest = lowered;
  *descending = false;
  if (absl::ConsumeSuffix(&rest, " desc")) {
    *descending = true;
  } else {
    absl::ConsumeSuffix(&rest, " asc");
  }
  const std::string text(absl::StripAsciiWhitespace(rest));
  if (text.empty() || text == "id") return AccountOrder::kId;
  if (text == "name") return AccountOrder::kName;
  if (text == "create_time") return AccountOrder::kCreateTime;
  if (text == "update_time") return AccountOrder::kUpdateTime;
  return InvalidField("order_by", "must be one of id, name, create_time, update_time (optionally \"desc\")");
}

}  // namespace

const absl::flat_hash_set<std::string>& UpdatableAccountFields() {
  static const auto* fields = new absl::flat_hash_set<std::string>{
      "name", "kind", "industry", "region", "size_band", "annual_revenue", "owner",
      "lifecycle_stage", "tags", "profession", "age_band", "external_key", "custom_fields", "website", "phone"};
  return *fields;
}

absl::Status ValidateAccount(const Account& a, const std::string& prefix) {
  const auto f = [&prefix](const char* field) { return absl::StrCat(prefix, ".", field); };
  Validator v;
  v.RequiredText(a.name(), f("name"), kMaxNameLength);
  v.Enum(a.kind(), crm::v1::AccountKind_IsValid, f("kind"), false);
  v.OptionalText(a.industry(), f("industry"), kMaxShortTextLength);
  v.OptionalText(a.region(), f("region"), kMaxShortTextLength);
  v.Enum(a.size_band(), crm::v1::SizeBand_IsValid, f("size_band"), false);
  v.OptionalMoney(a.annual_revenue(), a.has_annual_revenue(), f("annual_revenue"), false);
  v.OptionalText(a.owner(), f("owner"), kMaxShortTextLength);
  v.Enum(a.lifecycle_stage(), crm::v1::LifecycleStage_IsValid, f("lifecycle_stage"), false);
  v.Enum(a.tier(), crm::v1::AccountTier_IsValid, f("tier"), false);
  db::ValidateTags(a.tags(), f("tags"), v);
  v.OptionalText(a.profession(), f("profession"), kMaxShortTextLength);
  v.Enum(a.age_band(), crm::v1::AgeBand_IsValid, f("age_band"), false);
  if (a.kind() == crm::v1::ACCOUNT_KIND_COMPANY) {
    v.Check(a.profession().empty(), f("profession"), "applies to person accounts only");
    v.Check(a.age_band() == crm::v1::AGE_BAND_UNSPECIFIED, f("age_band"), "applies to person accounts only");
  }
  v.OptionalText(a.external_key(), f("external_key"), kMaxShortTextLength);
  v.OptionalText(a.website(), f("website"), kMaxShortTextLength);
  if (!a.website().empty()) {
    v.Check(!duplicates::DomainKey(a.website()).empty(), f("website"),
            "must be a web address or domain, e.g. \"acme.com\" or \"https://www.acme.com\"");
  }
  v.OptionalPhone(a.phone(), f("phone"));
  // Each value is checked against its definition in the writing transaction; this only bounds
  // the work.
  v.Check(a.custom_fields_size() <= customfields::kMaxFieldsPerEntity, f("custom_fields"),
          absl::StrCat("at most ", customfields::kMaxFieldsPerEntity, " values"));
  return v.status();
}

void NormaliseAccount(Account& account) {
  if (account.kind() == crm::v1::ACCOUNT_KIND_UNSPECIFIED) account.set_kind(crm::v1::ACCOUNT_KIND_COMPANY);
  account.set_name(std::string(absl::StripAsciiWhitespace(account.name())));
  account.set_website(std::string(absl::StripAsciiWhitespace(account.website())));
  account.set_phone(std::string(absl::StripAsciiWhitespace(account.phone())));
  db::NormaliseTags(account.mutable_tags());
}

absl::Status ValidateAccountFilter(const crm::v1::AccountFilter& f, const std::string& prefix) {
  const auto field = [&prefix](const char* name) { return absl::StrCat(prefix, ".", name); };
  Validator v;
  v.OptionalText(f.owner(), field("owner"), kMaxShortTextLength);
  v.Enum(f.tier(), crm::v1::AccountTier_IsValid, field("tier"), false);
  v.Enum(f.lifecycle_stage(), crm::v1::LifecycleStage_IsValid, field("lifecycle_stage"), false);
  v.OptionalText(f.industry(), field("industry"), kMaxShortTextLength);
  v.OptionalText(f.region(), field("region"), kMaxShortTextLength);
  v.Enum(f.kind(), crm::v1::AccountKind_IsValid, field("kind"), false);
  v.OptionalText(f.text(), field("text"), kMaxShortTextLength);
  v.OptionalText(f.tag(), field("tag"), db::kMaxTagLength);
  return v.status();
}

absl::StatusOr<std::vector<Account>> ListVisibleAccounts(soci::session& sql, AccountListQuery& query) {
  absl::StatusOr<std::vector<customfields::IndexCondition>> conditions = customfields::ResolveListFields(
      sql, crm::v1::CUSTOM_FIELD_ENTITY_ACCOUNT, query.filter.custom_fields(), query.custom_order);
  if (!conditions.ok()) return conditions.status();
  query.custom_conditions = *std::move(conditions);
  // A custom order's field is live, so hiding leaves every sort key as the list compared it.
  return customfields::Visible(sql, crm::v1::CUSTOM_FIELD_ENTITY_ACCOUNT, AccountStore::List(sql, query));
}

absl::StatusOr<Account> FindLiveAccount(db::Tx& tx, const std::string& account_id, const std::string& field) {
  // Shared: a merge of the account waits for this transaction, or this one sees its tombstone.
  absl::StatusOr<std::optional<Account>> account = AccountStore::FindForShare(tx, account_id);
  if (!account.ok()) return account.status();
  if (!account->has_value()) return NotFound(field, account_id);
  if (!(*account)->merged_into_id().empty()) return MergedAccount(field, **account);
  if ((*account)->has_delete_time()) return FailedPreconditionField(field, "the account is deleted; undelete it first");
  return **std::move(account);
}

absl::Status CheckContactOfAccount(db::Tx& tx, const std::string& contact_id, const std::string& account_id,
                                   const std::string& field) {
  absl::StatusOr<std::optional<crm::v1::Contact>> contact = ContactStore::FindForUpdate(tx, contact_id);
  if (!contact.ok()) return contact.status();
  if (!contact->has_value()) {
    absl::StatusOr<std::optional<crm::v1::MergedInto>> merged =
        duplicates::MergeStore::FindTombstone(tx.session(), crm::v1::DUPLICATE_ENTITY_CONTACT, contact_id);
    if (!merged.ok()) return merged.status();
    if (merged->has_value()) return duplicates::MergedAway(field, "contact", **merged);
    return NoSuchEntity(field, "contact", contact_id);
  }
  if ((*contact)->account_id() != account_id) {
    return InvalidField(field, absl::StrCat("the contact belongs to another account than \"", account_id, "\""));
  }
  return absl::OkStatus();
}

absl::StatusOr<Account> AccountLogic::Create(const server::CallContext& call,
                                             const crm::v1::CreateAccountRequest& request) {
  Validator request_checks;
  request_checks.Check(request.has_account(), "account", "is required");
  request_checks.OptionalText(request.request_id(), "request_id", kMaxShortTextLength);
  if (!request_checks.ok()) return request_checks.status();
  if (absl::Status valid = ValidateAccount(request.account(), "account"); !valid.ok()) return valid;

  Account account = request.account();
  NormaliseAccount(account);
  // Output-only fields are ignored on create.
  account.clear_tier();
  account.clear_create_time();
  account.clear_update_time();
  account.clear_delete_time();
  account.clear_etag();
  account.clear_possible_duplicates();
  account.clear_merged_into_id();
  if (account.owner().empty()) account.set_owner(call.actor);
  const absl::Time now = rt_.clock->Now();
  account.set_id(NewIdAt(kAccountIdPrefix, now));
  *account.mutable_create_time() = TimeToTimestamp(now);
  *account.mutable_update_time() = TimeToTimestamp(now);

  return db::CreateOnce<Account>(
      *rt_.db, call.deadline, kCreateScope, request.request_id(), request,
      duplicates::WithCurrentCandidates<Account>(crm::v1::DUPLICATE_ENTITY_ACCOUNT, FindVisible),
      [&](db::Tx& tx) -> absl::StatusOr<Account> {
        Account created = account;
        customfields::RecordWrite values(crm::v1::CUSTOM_FIELD_ENTITY_ACCOUNT, "account.custom_fields");
        if (absl::Status s = values.PrepareCreate(tx.session(), created.mutable_custom_fields()); !s.ok()) return s;
        absl::StatusOr<std::vector<crm::v1::DuplicateCandidate>> candidates =
            duplicates::CheckNewRecord(tx, crm::v1::DUPLICATE_ENTITY_ACCOUNT, duplicates::KeysOf(created).keys,
                                       request.confirm_duplicate(), "account");
        if (!candidates.ok()) return candidates.status();
        if (absl::Status s = AccountStore::Insert(tx, created); !s.ok()) return s;
        created.set_etag(FormatEtag(1));
        absl::Status event =
            rt_.outbox->AppendChange(tx, "account.created", kAccountEntity, created.id(), crm::v1::CHANGE_KIND_CREATED,
                                     DiffMessages(nullptr, created, BookkeepingFields()), created.owner(), call.actor,
                                     request.request_id(), now);
        if (!event.ok()) return event;
        // On the answer only: the event and the stored account do not carry them.
        created.mutable_possible_duplicates()->Assign(candidates->begin(), candidates->end());
        return created;
      });
}

absl::StatusOr<Account> AccountLogic::Get(const server::CallContext& call, const crm::v1::GetAccountRequest& request) {
  if (absl::Status s = Validator().RequiredId(request.id(), "id").status(); !s.ok()) return s;
  return db::ReadEntity<Account>(*rt_.db, call.deadline, FindVisible, request.id(), kAccountEntity);
}

absl::StatusOr<Account> AccountLogic::Update(const server::CallContext& call,
                                             const crm::v1::UpdateAccountRequest& request) {
  Validator request_checks;
  request_checks.Check(request.has_account(), "account", "is required");
  if (request.has_account()) request_checks.RequiredId(request.account().id(), "account.id");
  if (!request_checks.ok()) return request_checks.status();
  absl::StatusOr<std::vector<std::string>> paths =
      ResolveUpdatePaths(request.account(), request.update_mask(), UpdatableAccountFields());
  if (!paths.ok()) return paths.status();

  const bool touches_custom_fields = customfields::TouchesCustomFields(*paths);
  const absl::Time now = rt_.clock->Now();
  customfields::RecordWrite values(crm::v1::CUSTOM_FIELD_ENTITY_ACCOUNT, "account.custom_fields");
  db::VersionedChange<Account> op;
  op.load = AccountStore::FindForUpdate;
  op.store = AccountStore::Update;
  op.not_found = [&] { return NotFound("account.id", request.account().id()); };
  op.change = [&](db::Tx& tx, const Account& before) -> absl::StatusOr<std::optional<Account>> {
    if (!before.merged_into_id().empty()) return MergedAccount("account.id", before);
    if (before.has_delete_time()) {
      return FailedPreconditionField("account.id", "the account is deleted; undelete it first");
    }
    Account after = before;
    ApplyPaths(request.account(), *paths, &after);
    if (absl::Status s = ValidateAccount(after, "account"); !s.ok()) return s;
    if (absl::Status s = values.PrepareChange(tx.session(), before.custom_fields(), after.mutable_custom_fields(),
                                              touches_custom_fields);
        !s.ok()) {
      return s;
    }
    NormaliseAccount(after);
    if (DiffMessages(&before, after, BookkeepingFields()).empty()) return std::optional<Account>();
    *after.mutable_update_time() = TimeToTimestamp(now);
    return std::optional<Account>(std::move(after));
  };
  op.after_write = [&](db::Tx& tx, const Account& before, const Account& after) {
    return rt_.outbox->AppendChange(tx, "account.updated", kAccountEntity, after.id(), crm::v1::CHANGE_KIND_UPDATED,
                                    DiffMessages(&before, after, BookkeepingFields()), after.owner(), call.actor,
                                    call.correlation_id, now);
  };
  absl::StatusOr<Account> updated =
      db::ChangeVersioned(*rt_.db, call.deadline, request.account().id(), request.etag(), "etag", kAccountEntity, op);
  if (updated.ok()) values.Present(updated->mutable_custom_fields());
  return updated;
}

namespace {

// Shared by delete and undelete: flips delete_time under the etag rules.
absl::StatusOr<Account> SetDeleted(const server::Runtime& rt, const server::CallContext& call, const std::string& id,
                                   const std::string& etag, bool deleted) {
  if (absl::Status s = Validator().RequiredId(id, "id").status(); !s.ok()) return s;
  const absl::Time now = rt.clock->Now();
  customfields::RecordWrite values(crm::v1::CUSTOM_FIELD_ENTITY_ACCOUNT, "account.custom_fields");
  db::VersionedChange<Account> op;
  op.load = AccountStore::FindForUpdate;
  op.store = AccountStore::Update;
  op.not_found = [&] { return NotFound("id", id); };
  op.change = [&](db::Tx& tx, const Account& before) -> absl::StatusOr<std::optional<Account>> {
    // For the answer only: delete and undelete leave the values alone.
    if (absl::Status s = values.PrepareChange(tx.session(), before.custom_fields(), nullptr, false); !s.ok()) {
      return s;
    }
    if (!before.merged_into_id().empty()) return MergedAccount("id", before);
    if (before.has_delete_time() == deleted) {
      return FailedPreconditionField("id", deleted ? "the account is already deleted" : "the account is not deleted");
    }
    Account after = before;
    if (deleted) {
      *after.mutable_delete_time() = TimeToTimestamp(now);
    } else {
      after.clear_delete_time();
    }
    *after.mutable_update_time() = TimeToTimestamp(now);
    return std::optional<Account>(std::move(after));
  };
  op.after_write = [&](db::Tx& tx, const Account& before, const Account& after) {
    return rt.outbox->AppendChange(tx, deleted ? "account.deleted" : "account.undeleted", kAccountEntity, id,
                                   deleted ? crm::v1::CHANGE_KIND_DELETED : crm::v1::CHANGE_KIND_UNDELETED,
                                   DiffMessages(&before, after, BookkeepingFields()), after.owner(), call.actor,
                                   call.correlation_id, now);
  };
  absl::StatusOr<Account> changed = db::ChangeVersioned(*rt.db, call.deadline, id, etag, "etag", kAccountEntity, op);
  if (changed.ok()) values.Present(changed->mutable_custom_fields());
  return changed;
}

}  // namespace

absl::StatusOr<Account> AccountLogic::Delete(const server::CallContext& call,
                                             const crm::v1::DeleteAccountRequest& request) {
  return SetDeleted(rt_, call, request.id(), request.etag(), true);
}

absl::StatusOr<Account> AccountLogic::Undelete(const server::CallContext& call,
                                               const crm::v1::UndeleteAccountRequest& request) {
  return SetDeleted(rt_, call, request.id(), "", false);
}

absl::StatusOr<crm::v1::ListAccountsResponse> AccountLogic::List(const server::CallContext& call,
                                                                 const crm::v1::ListAccountsRequest& request) {
  absl::StatusOr<int> page_size = ResolvePageSize(request.page_size());
  if (!page_size.ok()) return page_size.status();
  if (absl::Status s = ValidateAccountFilter(request.filter(), "filter"); !s.ok()) return s;

  AccountListQuery query;
  query.custom_order = customfields::ParseCustomOrder(request.order_by());
  if (!query.custom_order) {
    absl::StatusOr<AccountOrder> order = ParseOrder(request.order_by(), &query.descending);
    if (!order.ok()) return order.status();
    query.order = *order;
  }
  query.filter = request.filter();
  absl::StatusOr<std::optional<std::vector<std::string>>> owners =
      call.owners.ListOwners(request.filter().owner(), "filter.owner");
  if (!owners.ok()) return owners.status();
  query.owners = *std::move(owners);
  query.show_deleted = request.show_deleted();
  absl::StatusOr<KeysetPage> page = KeysetPage::Open(
      *rt_.page_tokens, kListScope, request, *page_size, query.custom_order ? customfields::kCustomOrderCursorArity : 2);
  if (!page.ok()) return page.status();
  if (!page->first()) {
    if (query.custom_order) {
      absl::StatusOr<customfields::CustomOrderPosition> position = customfields::ParseCustomOrderCursor(page->cursor());
      if (!position.ok()) return position.status();
      query.custom_after = *std::move(position);
    } else {
      if (query.order != AccountOrder::kId) query.after_key = page->cursor()[0];
      query.after_id = page->cursor()[1];
    }
  }
  query.limit = page->fetch_limit();

  absl::StatusOr<std::vector<Account>> rows =
      db::ReadValue(*rt_.db, call.deadline, [&](soci::session& sql) { return ListVisibleAccounts(sql, query); });
  if (!rows.ok()) return rows.status();
  crm::v1::ListAccountsResponse response;
  response.set_next_page_token(page->Finish(&*rows, [&](const Account& last) {
    if (query.custom_order) {
      return customfields::CustomOrderCursor(last.custom_fields(), query.custom_order->field_key, last.id());
    }
    return KeysetPage::Cursor{AccountStore::SortKey(last, query.order), last.id()};
  }));
  for (Account& a : *rows) *response.add_accounts() = std::move(a);
  return response;
}

}  // namespace crm::accounts

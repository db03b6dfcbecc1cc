#include "services/kam/policy_logic.h"

#include <soci/soci.h>

#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "common/core/errors.h"
#include "common/core/field_mask.h"
#include "common/core/keyset_page.h"
#include "common/core/page_token.h"
#include "common/core/time_util.h"
#include "common/core/validation.h"
#include "common/db/entity_ops.h"
#include "services/accounts/tier_policy_store.h"
#include "services/kam/policy_store.h"

namespace crm::kam {
namespace {

using crm::v1::AccountTier;
using crm::v1::TierPolicy;

constexpr char kWithoutManagerScope[] = "kam.accounts_without_manager";
constexpr char kOverdueContactsScope[] = "kam.overdue_contacts";

constexpr AccountTier kTiers[] = {crm::v1::ACCOUNT_TIER_STRATEGIC, crm::v1::ACCOUNT_TIER_KEY,
                                  crm::v1::ACCOUNT_TIER_STANDARD, crm::v1::ACCOUNT_TIER_POTENTIAL};

const absl::flat_hash_set<std::string>& UpdatableFields() {
  static const auto* fields = new absl::flat_hash_set<std::string>{
      "dedicated_manager_required", "sla_tier", "review_every_days", "contact_every_days"};
  return *fields;
}

// What a tier without a stored row is served by: its own SLA, no manager, no cadences.
TierPolicy NeutralPolicy(AccountTier tier) {
  TierPolicy policy;
  policy.set_tier(tier);
  policy.set_sla_tier(tier);
  return policy;
}

// sla_tier 0 means "the tier itself"; it is shown and stored as such.
void Normalise(TierPolicy& policy) {
  if (policy.sla_tier() == crm::v1::ACCOUNT_TIER_UNSPECIFIED) policy.set_sla_tier(policy.tier());
}

bool IsServedTier(int tier) {
  return std::find(std::begin(kTiers), std::end(kTiers), static_cast<AccountTier>(tier)) != std::end(kTiers);
}

absl::Status ValidatePolicy(const TierPolicy& p) {
  Validator v;
  v.Check(p.sla_tier() == crm::v1::ACCOUNT_TIER_UNSPECIFIED || IsServedTier(p.sla_tier()), "policy.sla_tier",
          "must be a known tier (STRATEGIC, KEY, STANDARD or POTENTIAL), or unset for the tier itself");
  v.Check(p.review_every_days() >= 0 && p.review_every_days() <= kMaxPolicyDays, "policy.review_every_days",
          absl::StrCat("must be between 0 (no reviews) and ", kMaxPolicyDays));
  v.Check(p.contact_every_days() >= 0 && p.contact_every_days() <= kMaxPolicyDays, "policy.contact_every_days",
          absl::StrCat("must be between 0 (no cadence) and ", kMaxPolicyDays));
  return v.status();
}

constexpr int64_t kMicrosPerDay = int64_t{86400} * 1000000;

// Whole days from `due` to `now`; 0 when `due` has not passed.
int32_t WholeDaysOverdue(int64_t due_micros, int64_t now_micros) {
  if (now_micros <= due_micros) return 0;
  return static_cast<int32_t>(std::min<int64_t>((now_micros - due_micros) / kMicrosPerDay, INT32_MAX));
}

}  // namespace

absl::StatusOr<crm::v1::ListTierPoliciesResponse> PolicyLogic::List(const server::CallContext& call,
                                                                    const crm::v1::ListTierPoliciesRequest&) {
  absl::StatusOr<std::vector<TierPolicy>> stored = db::ReadValue(
      *rt_.db, call.deadline, [](soci::session& sql) { return accounts::TierPolicyStore::List(sql); });
  if (!stored.ok()) return stored.status();
  std::map<int, TierPolicy> by_tier;
  for (TierPolicy& policy : *stored) by_tier[policy.tier()] = std::move(policy);
  crm::v1::ListTierPoliciesResponse response;
  for (AccountTier tier : kTiers) {
    auto found = by_tier.find(tier);
    TierPolicy policy = found != by_tier.end() ? found->second : NeutralPolicy(tier);
    Normalise(policy);
    *response.add_policies() = std::move(policy);
  }
  return response;
}

absl::StatusOr<TierPolicy> PolicyLogic::Update(const server::CallContext& call,
                                               const crm::v1::UpdateTierPolicyRequest& request) {
  Validator request_checks;
  request_checks.Check(request.has_policy(), "policy", "is required");
  if (request.has_policy()) {
    request_checks.Check(IsServedTier(request.policy().tier()), "policy.tier",
                         "must be a known tier (STRATEGIC, KEY, STANDARD or POTENTIAL)");
  }
  if (!request_checks.ok()) return request_checks.status();
  absl::StatusOr<std::vector<std::string>> paths =
      ResolveUpdatePaths(request.policy(), request.update_mask(), UpdatableFields());
  if (!paths.ok()) return paths.status();
  const AccountTier tier = request.policy().tier();

  const absl::Time now = rt_.clock->Now();
  TierPolicy result;
  absl::Status status = rt_.db->Write(
      [&](db::Tx& tx) -> absl::Status {
        absl::StatusOr<std::optional<TierPolicy>> found = accounts::TierPolicyStore::FindForUpdate(tx, tier);
        if (!found.ok()) return found.status();
        TierPolicy before = found->has_value() ? **found : NeutralPolicy(tier);
        Normalise(before);
        TierPolicy after = before;
        ApplyPaths(request.policy(), *paths, &after);
        if (absl::Status valid = ValidatePolicy(after); !valid.ok()) return valid;
        Normalise(after);
        const std::vector<FieldDelta> deltas = DiffMessages(&before, after, BookkeepingFields());
        if (deltas.empty()) {
          result = before;
          return absl::OkStatus();
        }
        *after.mutable_update_time() = TimeToTimestamp(now);
        if (absl::Status s = accounts::TierPolicyStore::Save(tx, after, found->has_value()); !s.ok()) return s;
        result = after;
        // No user: a policy concerns everyone serving the tier.
        return rt_.outbox->AppendChange(tx, "tier_policy.updated", kTierPolicyEntity, crm::v1::AccountTier_Name(tier),
                                        crm::v1::CHANGE_KIND_UPDATED, deltas, "", call.actor, call.correlation_id,
                                        now);
      },
      call.deadline);
  if (!status.ok()) return status;
  return result;
}

absl::StatusOr<crm::v1::ListAccountsWithoutManagerResponse> PolicyLogic::ListAccountsWithoutManager(
    const server::CallContext& call, const crm::v1::ListAccountsWithoutManagerRequest& request) {
  absl::StatusOr<int> page_size = ResolvePageSize(request.page_size());
  if (!page_size.ok()) return page_size.status();
  absl::StatusOr<KeysetPage> page = KeysetPage::Open(*rt_.page_tokens, kWithoutManagerScope, request, *page_size, 2);
  if (!page.ok()) return page.status();
  std::optional<TierPosition> after;
  if (!page->first()) {
    absl::StatusOr<int64_t> tier = page->IntAt(0);
    if (!tier.ok()) return tier.status();
    after = TierPosition{*tier, page->cursor()[1]};
  }
  absl::StatusOr<std::vector<crm::v1::AccountRef>> rows =
      db::ReadValue(*rt_.db, call.deadline, [&](soci::session& sql) {
        return PolicyStore::AccountsWithoutManager(sql, after, page->fetch_limit());
      });
  if (!rows.ok()) return rows.status();
  crm::v1::ListAccountsWithoutManagerResponse response;
  response.set_next_page_token(page->Finish(&*rows, [](const crm::v1::AccountRef& r) {
    return KeysetPage::Cursor{std::to_string(static_cast<int>(r.tier())), r.account_id()};
  }));
  for (crm::v1::AccountRef& row : *rows) *response.add_accounts() = std::move(row);
  return response;
}

absl::StatusOr<crm::v1::ListOverdueContactsResponse> PolicyLogic::ListOverdueContacts(
    const server::CallContext& call, const crm::v1::ListOverdueContactsRequest& request) {
  absl::StatusOr<int> page_size = ResolvePageSize(request.page_size());
  if (!page_size.ok()) return page_size.status();
  if (absl::Status s = Validator().OptionalText(request.owner(), "owner", kMaxShortTextLength).status(); !s.ok()) {
    return s;
  }
  absl::StatusOr<KeysetPage> page = KeysetPage::Open(*rt_.page_tokens, kOverdueContactsScope, request, *page_size, 2);
  if (!page.ok()) return page.status();
  OverdueContactQuery query;
  query.owner = request.owner();
  query.now = rt_.clock->Now();
  query.limit = page->fetch_limit();
  if (!page->first()) {
    absl::StatusOr<int64_t> due = page->IntAt(0);
    if (!due.ok()) return due.status();
    query.after = DuePosition{*due, page->cursor()[1]};
  }
  absl::StatusOr<std::vector<OverdueContactRow>> rows = db::ReadValue(
      *rt_.db, call.deadline, [&](soci::session& sql) { return PolicyStore::OverdueContacts(sql, query); });
  if (!rows.ok()) return rows.status();
  crm::v1::ListOverdueContactsResponse response;
  response.set_next_page_token(page->Finish(&*rows, [](const OverdueContactRow& r) {
    return KeysetPage::Cursor{std::to_string(r.due_micros), r.account.account_id()};
  }));
  const int64_t now_micros = ToMicros(query.now);
  for (OverdueContactRow& row : *rows) {
    crm::v1::OverdueContact* contact = response.add_contacts();
    *contact->mutable_account() = std::move(row.account);
    if (row.last_interaction_micros.has_value()) {
      *contact->mutable_last_interaction_time() = MicrosToTimestamp(*row.last_interaction_micros);
    }
    contact->set_cadence_days(row.cadence_days);
    contact->set_days_overdue(WholeDaysOverdue(row.due_micros, now_micros));
  }
  return response;
}

}  // namespace crm::kam

#include "services/pipeline/lead_logic.h"

#include <soci/soci.h>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/core/errors.h"
#include "common/customfields/custom_field_store.h"
#include "common/customfields/record_fields.h"
#include "common/duplicates/duplicate_finder.h"
#include "common/core/etag.h"
#include "common/core/field_mask.h"
#include "common/core/ids.h"
#include "common/core/keyset_page.h"
#include "common/core/page_token.h"
#include "common/core/time_util.h"
#include "common/core/validation.h"
#include "common/db/entity_ops.h"
#include "services/accounts/account_logic.h"
#include "services/accounts/account_store.h"
#include "services/accounts/contact_logic.h"
#include "services/accounts/contact_store.h"
#include "services/pipeline/campaign_store.h"
#include "services/pipeline/lead_store.h"
#include "services/pipeline/opportunity_logic.h"

namespace crm::pipeline {
namespace {

using crm::v1::Lead;

constexpr char kIdPrefix[] = "lead";
constexpr char kCreateScope[] = "leads.create";
constexpr char kConvertScope[] = "leads.convert";
constexpr char kListScope[] = "leads.list";
constexpr int kMaxScore = 100;

// The contact entity as the accounts service names it in ids and events (contact_logic.cc keeps
// these private).
constexpr char kContactEntity[] = "contact";
constexpr char kContactIdPrefix[] = "con";

// Status, the disqualify reason and the conversion move only through Qualify / Disqualify /
// Convert.
const absl::flat_hash_set<std::string>& UpdatableFields() {
  static const auto* fields = new absl::flat_hash_set<std::string>{
      "full_name", "company_name", "title", "email", "phone", "industry", "region", "source", "score", "owner",
      "notes", "custom_fields"};
  return *fields;
}

absl::Status NotFound(const std::string& field, const std::string& id) { return NoSuchEntity(field, kLeadEntity, id); }

// A lead as callers see it: without the values of removed custom fields.
absl::StatusOr<std::optional<Lead>> FindVisible(soci::session& sql, const std::string& id) {
  return customfields::Visible(sql, crm::v1::CUSTOM_FIELD_ENTITY_LEAD, LeadStore::Find(sql, id));
}

// The lead a replayed create made. Deleted since: the retry still must not create a second
// lead, so it is NOT_FOUND rather than a fresh create.
absl::StatusOr<std::optional<Lead>> FindCreated(soci::session& sql, const std::string& id) {
  absl::StatusOr<std::optional<Lead>> lead = FindVisible(sql, id);
  if (lead.ok() && !lead->has_value()) {
    return NotFoundField("request_id", "the lead this request created has since been deleted");
  }
  return lead;
}

void NormaliseLead(Lead& lead) {
  lead.set_full_name(std::string(absl::StripAsciiWhitespace(lead.full_name())));
  lead.set_company_name(std::string(absl::StripAsciiWhitespace(lead.company_name())));
  lead.set_email(std::string(absl::StripAsciiWhitespace(lead.email())));
  lead.set_phone(std::string(absl::StripAsciiWhitespace(lead.phone())));
  if (lead.has_source() && lead.source().channel() == crm::v1::LEAD_CHANNEL_UNSPECIFIED &&
      lead.source().campaign_id().empty()) {
    lead.clear_source();
  }
}

// The source campaign must exist; a source naming a campaign but no channel takes the
// campaign's channel. Runs inside the writing transaction.
absl::Status ResolveSource(db::Tx& tx, Lead& lead, const std::string& prefix) {
  if (lead.source().campaign_id().empty()) return absl::OkStatus();
  absl::StatusOr<std::optional<crm::v1::Campaign>> campaign =
      CampaignStore::Find(tx.session(), lead.source().campaign_id());
  if (!campaign.ok()) return campaign.status();
  if (!campaign->has_value()) {
    return NoSuchEntity(absl::StrCat(prefix, ".source.campaign_id"), "campaign", lead.source().campaign_id());
  }
  if (lead.source().channel() == crm::v1::LEAD_CHANNEL_UNSPECIFIED) {
    lead.mutable_source()->set_channel((*campaign)->channel());
  }
  return absl::OkStatus();
}

const char* StatusWord(crm::v1::LeadStatus status) {
  switch (status) {
    case crm::v1::LEAD_STATUS_NEW:
      return "new";
    case crm::v1::LEAD_STATUS_QUALIFIED:
      return "qualified";
    case crm::v1::LEAD_STATUS_DISQUALIFIED:
      return "disqualified";
    case crm::v1::LEAD_STATUS_CONVERTED:
      return "converted";
    default:
      return "in an unknown state";
  }
}

absl::Status ConvertedIsFinal(const std::string& field, const Lead& lead) {
  return FailedPreconditionField(
      field, absl::StrCat("the lead was converted (to account \"", lead.converted_account_id(),
                          "\"); a converted lead is final"));
}

absl::Status AppendLeadEvent(const server::Runtime& rt, db::Tx& tx, const char* type, crm::v1::ChangeKind kind,
                             const Lead* before, const Lead& after, const std::string& user,
                             const server::CallContext& call, const std::string& request_id, absl::Time now) {
  return rt.outbox->AppendChange(tx, type, kLeadEntity, after.id(), kind,
                                 DiffMessages(before, after, BookkeepingFields()), user, call.actor, request_id, now);
}

}  // namespace

absl::Status ValidateLead(const Lead& l, const std::string& prefix) {
  const auto f = [&prefix](const char* field) { return absl::StrCat(prefix, ".", field); };
  Validator v;
  v.RequiredText(l.full_name(), f("full_name"), kMaxNameLength);
  v.OptionalText(l.company_name(), f("company_name"), kMaxNameLength);
  v.OptionalText(l.title(), f("title"), kMaxShortTextLength);
  v.OptionalEmail(l.email(), f("email"));
  v.OptionalPhone(l.phone(), f("phone"));
  v.OptionalText(l.industry(), f("industry"), kMaxShortTextLength);
  v.OptionalText(l.region(), f("region"), kMaxShortTextLength);
  v.Enum(l.source().channel(), crm::v1::LeadChannel_IsValid, f("source.channel"), false);
  if (!l.source().campaign_id().empty()) v.RequiredId(l.source().campaign_id(), f("source.campaign_id"));
  v.Check(l.score() >= 0 && l.score() <= kMaxScore, f("score"), "must be between 0 and 100");
  v.OptionalText(l.owner(), f("owner"), kMaxShortTextLength);
  v.OptionalLongText(l.notes(), f("notes"));
  // Each value is checked against its definition in the writing transaction; this only bounds
  // the work.
  v.Check(l.custom_fields_size() <= customfields::kMaxFieldsPerEntity, f("custom_fields"),
          absl::StrCat("at most ", customfields::kMaxFieldsPerEntity, " values"));
  return v.status();
}

absl::StatusOr<Lead> LeadLogic::Create(const server::CallContext& call, const crm::v1::CreateLeadRequest& request) {
  Validator request_checks;
  request_checks.Check(request.has_lead(), "lead", "is required");
  request_checks.OptionalText(request.request_id(), "request_id", kMaxShortTextLength);
  if (!request_checks.ok()) return request_checks.status();

  Lead lead = request.lead();
  if (lead.owner().empty()) lead.set_owner(call.actor);
  if (absl::Status valid = ValidateLead(lead, "lead"); !valid.ok()) return valid;
  NormaliseLead(lead);
  // Output-only fields are ignored on create: every lead starts NEW and unconverted.
  lead.set_status(crm::v1::LEAD_STATUS_NEW);
  lead.clear_disqualify_reason();
  lead.clear_converted_account_id();
  lead.clear_converted_contact_id();
  lead.clear_converted_opportunity_id();
  lead.clear_convert_time();
  lead.clear_create_time();
  lead.clear_update_time();
  lead.clear_etag();
  lead.clear_possible_duplicates();
  const absl::Time now = rt_.clock->Now();
  lead.set_id(NewIdAt(kIdPrefix, now));
  *lead.mutable_create_time() = TimeToTimestamp(now);
  *lead.mutable_update_time() = TimeToTimestamp(now);

  return db::CreateOnce<Lead>(
      *rt_.db, call.deadline, kCreateScope, request.request_id(), request,
      duplicates::WithCurrentCandidates<Lead>(crm::v1::DUPLICATE_ENTITY_LEAD, FindCreated),
      [&](db::Tx& tx) -> absl::StatusOr<Lead> {
        Lead created = lead;
        if (absl::Status s = ResolveSource(tx, created, "lead"); !s.ok()) return s;
        customfields::RecordWrite values(crm::v1::CUSTOM_FIELD_ENTITY_LEAD, "lead.custom_fields");
        if (absl::Status s = values.PrepareCreate(tx.session(), created.mutable_custom_fields()); !s.ok()) return s;
        absl::StatusOr<std::vector<crm::v1::DuplicateCandidate>> candidates =
            duplicates::CheckNewRecord(tx, crm::v1::DUPLICATE_ENTITY_LEAD, duplicates::KeysOf(created).keys,
                                       request.confirm_duplicate(), "lead");
        if (!candidates.ok()) return candidates.status();
        if (absl::Status s = LeadStore::Insert(tx, created); !s.ok()) return s;
        created.set_etag(FormatEtag(1));
        absl::Status event = AppendLeadEvent(rt_, tx, "lead.created", crm::v1::CHANGE_KIND_CREATED, nullptr, created,
                                             created.owner(), call, request.request_id(), now);
        if (!event.ok()) return event;
        // On the answer only, as on accounts.
        created.mutable_possible_duplicates()->Assign(candidates->begin(), candidates->end());
        return created;
      });
}

absl::StatusOr<Lead> LeadLogic::Get(const server::CallContext& call, const crm::v1::GetLeadRequest& request) {
  if (absl::Status s = Validator().RequiredId(request.id(), "id").status(); !s.ok()) return s;
  return db::ReadEntity<Lead>(*rt_.db, call.deadline, FindVisible, request.id(), kLeadEntity);
}

absl::StatusOr<Lead> LeadLogic::Update(const server::CallContext& call, const crm::v1::UpdateLeadRequest& request) {
  Validator request_checks;
  request_checks.Check(request.has_lead(), "lead", "is required");
  if (request.has_lead()) request_checks.RequiredId(request.lead().id(), "lead.id");
  if (!request_checks.ok()) return request_checks.status();
  absl::StatusOr<std::vector<std::string>> paths =
      ResolveUpdatePaths(request.lead(), request.update_mask(), UpdatableFields());
  if (!paths.ok()) return paths.status();

  const bool touches_custom_fields = customfields::TouchesCustomFields(*paths);
  const absl::Time now = rt_.clock->Now();
  customfields::RecordWrite values(crm::v1::CUSTOM_FIELD_ENTITY_LEAD, "lead.custom_fields");
  db::VersionedChange<Lead> op;
  op.load = LeadStore::FindForUpdate;
  op.store = LeadStore::Update;
  op.not_found = [&] { return NotFound("lead.id", request.lead().id()); };
  op.change = [&](db::Tx& tx, const Lead& before) -> absl::StatusOr<std::optional<Lead>> {
    if (before.status() == crm::v1::LEAD_STATUS_CONVERTED) return ConvertedIsFinal("lead.id", before);
    Lead after = before;
    ApplyPaths(request.lead(), *paths, &after);
    if (after.owner().empty()) return InvalidField("lead.owner", "cannot be cleared; every lead has an owner");
    if (absl::Status s = ValidateLead(after, "lead"); !s.ok()) return s;
    if (absl::Status s = values.PrepareChange(tx.session(), before.custom_fields(), after.mutable_custom_fields(),
                                              touches_custom_fields);
        !s.ok()) {
      return s;
    }
    NormaliseLead(after);
    if (after.source().campaign_id() != before.source().campaign_id() ||
        after.source().channel() != before.source().channel()) {
      if (absl::Status s = ResolveSource(tx, after, "lead"); !s.ok()) return s;
    }
    if (DiffMessages(&before, after, BookkeepingFields()).empty()) return std::optional<Lead>();
    *after.mutable_update_time() = TimeToTimestamp(now);
    return std::optional<Lead>(std::move(after));
  };
  op.after_write = [&](db::Tx& tx, const Lead& before, const Lead& after) {
    return AppendLeadEvent(rt_, tx, "lead.updated", crm::v1::CHANGE_KIND_UPDATED, &before, after, after.owner(), call,
                           call.correlation_id, now);
  };
  absl::StatusOr<Lead> updated =
      db::ChangeVersioned(*rt_.db, call.deadline, request.lead().id(), request.etag(), "etag", kLeadEntity, op);
  if (updated.ok()) values.Present(updated->mutable_custom_fields());
  return updated;
}

absl::StatusOr<crm::v1::DeleteLeadResponse> LeadLogic::Delete(const server::CallContext& call,
                                                              const crm::v1::DeleteLeadRequest& request) {
  if (absl::Status s = Validator().RequiredId(request.id(), "id").status(); !s.ok()) return s;
  const absl::Time now = rt_.clock->Now();
  // A delete is a change whose write removes the row (as db::DeleteVersioned), with a state
  // check first: a converted lead is referenced by its opportunity and campaign figures.
  db::VersionedChange<Lead> op;
  op.load = LeadStore::FindForUpdate;
  op.not_found = [&] { return NotFound("id", request.id()); };
  op.change = [&](db::Tx&, const Lead& before) -> absl::StatusOr<std::optional<Lead>> {
    if (before.status() == crm::v1::LEAD_STATUS_CONVERTED) return ConvertedIsFinal("id", before);
    return std::optional<Lead>(before);
  };
  op.store = [](db::Tx& tx, const Lead& before, const Lead&, int64_t revision) {
    return LeadStore::Delete(tx, before.id(), revision);
  };
  op.after_write = [&](db::Tx& tx, const Lead& before, const Lead&) -> absl::Status {
    // The deltas record every value the lead had, so the event log keeps what was removed.
    return rt_.outbox->AppendChange(tx, "lead.deleted", kLeadEntity, before.id(), crm::v1::CHANGE_KIND_DELETED,
                                    DiffMessages(&before, Lead(), BookkeepingFields()), before.owner(), call.actor,
                                    call.correlation_id, now);
  };
  absl::StatusOr<Lead> deleted =
      db::ChangeVersioned(*rt_.db, call.deadline, request.id(), request.etag(), "etag", kLeadEntity, op);
  if (!deleted.ok()) return deleted.status();
  return crm::v1::DeleteLeadResponse();
}

absl::StatusOr<crm::v1::ListLeadsResponse> LeadLogic::List(const server::CallContext& call,
                                                           const crm::v1::ListLeadsRequest& request) {
  absl::StatusOr<int> page_size = ResolvePageSize(request.page_size());
  if (!page_size.ok()) return page_size.status();
  Validator v;
  v.Enum(request.status(), crm::v1::LeadStatus_IsValid, "status", false);
  v.OptionalText(request.owner(), "owner", kMaxShortTextLength);
  v.Enum(request.channel(), crm::v1::LeadChannel_IsValid, "channel", false);
  if (!request.campaign_id().empty()) v.RequiredId(request.campaign_id(), "campaign_id");
  v.OptionalText(request.text(), "text", kMaxShortTextLength);
  v.Check(request.min_score() >= 0 && request.min_score() <= kMaxScore, "min_score", "must be between 0 and 100");
  if (!v.ok()) return v.status();

  LeadListQuery query;
  absl::StatusOr<std::optional<std::vector<std::string>>> owners = call.owners.ListOwners(request.owner(), "owner");
  if (!owners.ok()) return owners.status();
  query.owners = *std::move(owners);
  query.status = request.status();
  query.channel = request.channel();
  query.campaign_id = request.campaign_id();
  query.text = request.text();
  query.min_score = request.min_score();
  absl::StatusOr<KeysetPage> page = KeysetPage::Open(*rt_.page_tokens, kListScope, request, *page_size, 1);
  if (!page.ok()) return page.status();
  if (!page->first()) query.after_id = page->cursor()[0];
  query.limit = page->fetch_limit();

  absl::StatusOr<std::vector<Lead>> rows =
      db::ReadValue(*rt_.db, call.deadline, [&](soci::session& sql) -> absl::StatusOr<std::vector<Lead>> {
        absl::StatusOr<std::vector<customfields::IndexCondition>> conditions =
            customfields::ResolveListFields(sql, crm::v1::CUSTOM_FIELD_ENTITY_LEAD, request.custom_fields(), std::nullopt,
                                            "custom_fields");
        if (!conditions.ok()) return conditions.status();
        query.custom_conditions = *std::move(conditions);
        return customfields::Visible(sql, crm::v1::CUSTOM_FIELD_ENTITY_LEAD, LeadStore::List(sql, query));
      });
  if (!rows.ok()) return rows.status();
  crm::v1::ListLeadsResponse response;
  response.set_next_page_token(page->Finish(&*rows, [](const Lead& last) { return KeysetPage::Cursor{last.id()}; }));
  for (Lead& l : *rows) *response.add_leads() = std::move(l);
  return response;
}

namespace {

// Shared by qualify and disqualify: moves the lead to `to` under the etag rules, if the status
// machine (lead_logic.h) allows it.
absl::StatusOr<Lead> Transition(const server::Runtime& rt, const server::CallContext& call, const std::string& id,
                                const std::string& etag, crm::v1::LeadStatus to, const std::string& reason) {
  Validator v;
  v.RequiredId(id, "id");
  if (to == crm::v1::LEAD_STATUS_DISQUALIFIED) v.RequiredText(reason, "reason", kMaxShortTextLength);
  if (!v.ok()) return v.status();
  const absl::Time now = rt.clock->Now();
  customfields::RecordWrite values(crm::v1::CUSTOM_FIELD_ENTITY_LEAD, "lead.custom_fields");
  db::VersionedChange<Lead> op;
  op.load = LeadStore::FindForUpdate;
  op.store = LeadStore::Update;
  op.not_found = [&] { return NotFound("id", id); };
  op.change = [&](db::Tx& tx, const Lead& before) -> absl::StatusOr<std::optional<Lead>> {
    // For the answer only: a status change leaves the values alone.
    if (absl::Status s = values.PrepareChange(tx.session(), before.custom_fields(), nullptr, false); !s.ok()) {
      return s;
    }
    if (before.status() == crm::v1::LEAD_STATUS_CONVERTED) return ConvertedIsFinal("id", before);
    // Qualify: from NEW only. Disqualify: from NEW or QUALIFIED.
    const bool allowed = before.status() == crm::v1::LEAD_STATUS_NEW ||
                         (to == crm::v1::LEAD_STATUS_DISQUALIFIED && before.status() == crm::v1::LEAD_STATUS_QUALIFIED);
    if (!allowed) {
      return FailedPreconditionField(
          "id", absl::StrCat("the lead is ", StatusWord(before.status()), "; it cannot be ", StatusWord(to),
                             to == crm::v1::LEAD_STATUS_QUALIFIED ? " (only new leads can)" : " again"));
    }
    Lead after = before;
    after.set_status(to);
    after.set_disqualify_reason(to == crm::v1::LEAD_STATUS_DISQUALIFIED
                                    ? std::string(absl::StripAsciiWhitespace(reason))
                                    : std::string());
    *after.mutable_update_time() = TimeToTimestamp(now);
    return std::optional<Lead>(std::move(after));
  };
  op.after_write = [&](db::Tx& tx, const Lead& before, const Lead& after) {
    return AppendLeadEvent(rt, tx, to == crm::v1::LEAD_STATUS_QUALIFIED ? "lead.qualified" : "lead.disqualified",
                           crm::v1::CHANGE_KIND_UPDATED, &before, after, after.owner(), call, call.correlation_id,
                           now);
  };
  absl::StatusOr<Lead> changed = db::ChangeVersioned(*rt.db, call.deadline, id, etag, "etag", kLeadEntity, op);
  if (changed.ok()) values.Present(changed->mutable_custom_fields());
  return changed;
}

}  // namespace

absl::StatusOr<Lead> LeadLogic::Qualify(const server::CallContext& call, const crm::v1::QualifyLeadRequest& request) {
  return Transition(rt_, call, request.id(), request.etag(), crm::v1::LEAD_STATUS_QUALIFIED, "");
}

absl::StatusOr<Lead> LeadLogic::Disqualify(const server::CallContext& call,
                                           const crm::v1::DisqualifyLeadRequest& request) {
  return Transition(rt_, call, request.id(), request.etag(), crm::v1::LEAD_STATUS_DISQUALIFIED, request.reason());
}

namespace {

// The parts of one conversion, written in the caller's transaction. Each step appends the same
// event its own service would.
class Conversion {
 public:
  Conversion(const server::Runtime& rt, const server::CallContext& call, const crm::v1::ConvertLeadRequest& request,
             absl::Time now)
      : rt_(rt), call_(call), request_(request), now_(now) {}

  // The account the lead converts into: the live existing one, or a new one made from the
  // lead's company (or, without a company, from the person).
  absl::StatusOr<crm::v1::Account> ResolveAccount(db::Tx& tx, const Lead& lead) {
    // The first step of every attempt: a retried transaction finds its candidates again.
    candidates_.clear();
    if (!request_.existing_account_id().empty()) {
      return accounts::FindLiveAccount(tx, request_.existing_account_id(), "existing_account_id");
    }
    crm::v1::Account account;
    const bool company = !lead.company_name().empty();
    account.set_name(company ? lead.company_name() : lead.full_name());
    account.set_kind(company ? crm::v1::ACCOUNT_KIND_COMPANY : crm::v1::ACCOUNT_KIND_PERSON);
    account.set_industry(lead.industry());
    account.set_region(lead.region());
    // A company's own e-mail domain is its web domain (free-mail domains give none).
    if (company) account.set_website(duplicates::EmailDomainKey(lead.email()));
    account.set_owner(lead.owner());
    // A converted lead has not bought yet.
    account.set_lifecycle_stage(crm::v1::LIFECYCLE_STAGE_PROSPECT);
    if (absl::Status s = accounts::ValidateAccount(account, "account"); !s.ok()) return s;
    accounts::NormaliseAccount(account);
    customfields::RecordWrite values(crm::v1::CUSTOM_FIELD_ENTITY_ACCOUNT, "account.custom_fields");
    if (absl::Status s = values.PrepareDerivedCreate(tx.session(), account.mutable_custom_fields(), "the new account");
        !s.ok()) {
      return s;
    }
    if (absl::Status s = CheckDuplicates(tx, crm::v1::DUPLICATE_ENTITY_ACCOUNT, duplicates::KeysOf(account),
                                         "existing_account_id");
        !s.ok()) {
      return s;
    }
    account.set_id(NewIdAt(accounts::kAccountIdPrefix, now_));
    *account.mutable_create_time() = TimeToTimestamp(now_);
    *account.mutable_update_time() = TimeToTimestamp(now_);
    if (absl::Status s = accounts::AccountStore::Insert(tx, account); !s.ok()) return s;
    account.set_etag(FormatEtag(1));
    absl::Status event = rt_.outbox->AppendChange(
        tx, "account.created", accounts::kAccountEntity, account.id(), crm::v1::CHANGE_KIND_CREATED,
        DiffMessages(nullptr, account, BookkeepingFields()), account.owner(), call_.actor, request_.request_id(), now_);
    if (!event.ok()) return event;
    return account;
  }

  // The existing contact asked for (of `account`), or the lead's person as a new contact of it.
  absl::StatusOr<crm::v1::Contact> ResolveContact(db::Tx& tx, const Lead& lead, const crm::v1::Account& account) {
    if (!request_.existing_contact_id().empty()) {
      if (absl::Status s =
              accounts::CheckContactOfAccount(tx, request_.existing_contact_id(), account.id(), "existing_contact_id");
          !s.ok()) {
        return s;
      }
      absl::StatusOr<std::optional<crm::v1::Contact>> contact =
          accounts::ContactStore::Find(tx.session(), request_.existing_contact_id());
      if (!contact.ok()) return contact.status();
      if (!contact->has_value()) return NoSuchEntity("existing_contact_id", kContactEntity, request_.existing_contact_id());
      return **std::move(contact);
    }
    crm::v1::Contact contact;
    contact.set_account_id(account.id());
    contact.set_full_name(lead.full_name());
    contact.set_title(lead.title());
    contact.set_email(lead.email());
    contact.set_phone(lead.phone());
    if (absl::Status s = accounts::ValidateContact(contact, "contact"); !s.ok()) return s;
    customfields::RecordWrite values(crm::v1::CUSTOM_FIELD_ENTITY_CONTACT, "contact.custom_fields");
    if (absl::Status s = values.PrepareDerivedCreate(tx.session(), contact.mutable_custom_fields(), "the new contact");
        !s.ok()) {
      return s;
    }
    if (absl::Status s = CheckDuplicates(tx, crm::v1::DUPLICATE_ENTITY_CONTACT, duplicates::KeysOf(contact),
                                         "existing_contact_id");
        !s.ok()) {
      return s;
    }
    contact.set_id(NewIdAt(kContactIdPrefix, now_));
    *contact.mutable_create_time() = TimeToTimestamp(now_);
    *contact.mutable_update_time() = TimeToTimestamp(now_);
    if (absl::Status s = accounts::ContactStore::Insert(tx, contact); !s.ok()) return s;
    contact.set_etag(FormatEtag(1));
    absl::Status event = rt_.outbox->AppendChange(
        tx, "contact.created", kContactEntity, contact.id(), crm::v1::CHANGE_KIND_CREATED,
        DiffMessages(nullptr, contact, BookkeepingFields()), account.owner(), call_.actor, request_.request_id(), now_);
    if (!event.ok()) return event;
    return contact;
  }

  // The opportunity asked for: name, amount, pipeline, stage and expected close from the
  // request; account, owner, source and lead from the conversion.
  absl::StatusOr<crm::v1::Opportunity> CreateOpportunity(db::Tx& tx, const Lead& lead,
                                                          const crm::v1::Account& account) {
    const crm::v1::Opportunity& asked = request_.opportunity();
    crm::v1::Opportunity opportunity;
    opportunity.set_name(!asked.name().empty()
                             ? asked.name()
                             : absl::StrCat(lead.company_name().empty() ? lead.full_name() : lead.company_name(),
                                            " deal"));
    if (asked.has_amount()) *opportunity.mutable_amount() = asked.amount();
    opportunity.set_pipeline_id(asked.pipeline_id());
    opportunity.set_stage_id(asked.stage_id());
    if (asked.has_expected_close_date()) *opportunity.mutable_expected_close_date() = asked.expected_close_date();
    opportunity.set_account_id(account.id());
    opportunity.set_owner(lead.owner());
    opportunity.set_source_channel(lead.source().channel());
    opportunity.set_source_campaign_id(lead.source().campaign_id());
    opportunity.set_lead_id(lead.id());
    customfields::RecordWrite values(crm::v1::CUSTOM_FIELD_ENTITY_OPPORTUNITY, "opportunity.custom_fields");
    if (absl::Status s =
            values.PrepareDerivedCreate(tx.session(), opportunity.mutable_custom_fields(), "the new opportunity");
        !s.ok()) {
      return s;
    }
    return CreateOpportunityInTx(rt_, tx, call_, std::move(opportunity), "opportunity", request_.request_id());
  }

  // Existing records like the account or contact this conversion creates (for the answer).
  const std::vector<crm::v1::DuplicateCandidate>& candidates() const { return candidates_; }

 private:
  // The create-time check of a record the conversion makes, under the settings of its kind;
  // a refusal names `field`, where the caller can name the existing record instead.
  absl::Status CheckDuplicates(db::Tx& tx, crm::v1::DuplicateEntity entity, const duplicates::RecordKeys& keys,
                               absl::string_view field) {
    absl::StatusOr<std::vector<crm::v1::DuplicateCandidate>> found =
        duplicates::CheckNewRecord(tx, entity, keys.keys, request_.confirm_duplicate(), field);
    if (!found.ok()) return found.status();
    candidates_.insert(candidates_.end(), found->begin(), found->end());
    return absl::OkStatus();
  }

  std::vector<crm::v1::DuplicateCandidate> candidates_;
  const server::Runtime& rt_;
  const server::CallContext& call_;
  const crm::v1::ConvertLeadRequest& request_;
  absl::Time now_;
};

}  // namespace

absl::StatusOr<crm::v1::ConvertLeadResponse> LeadLogic::Convert(const server::CallContext& call,
                                                                const crm::v1::ConvertLeadRequest& request) {
  Validator v;
  v.RequiredId(request.id(), "id");
  if (!request.existing_account_id().empty()) v.RequiredId(request.existing_account_id(), "existing_account_id");
  if (!request.existing_contact_id().empty()) v.RequiredId(request.existing_contact_id(), "existing_contact_id");
  v.OptionalText(request.request_id(), "request_id", kMaxShortTextLength);
  v.Check(request.create_opportunity() || !request.has_opportunity(), "opportunity",
          "is given but create_opportunity is not set");
  if (!v.ok()) return v.status();
  absl::StatusOr<std::optional<int64_t>> wanted = ParseEtag(request.etag(), "etag");
  if (!wanted.ok()) return wanted.status();

  const absl::Time now = rt_.clock->Now();
  Conversion conversion(rt_, call, request, now);
  customfields::RecordWrite lead_values(crm::v1::CUSTOM_FIELD_ENTITY_LEAD, "lead.custom_fields");
  // The lead's id is what the request id is recorded against: a replay reads the converted lead
  // back, and the ids of what the conversion created are on it.
  absl::StatusOr<Lead> converted = db::CreateOnce<Lead>(
      *rt_.db, call.deadline, kConvertScope, request.request_id(), request, FindVisible,
      [&](db::Tx& tx) -> absl::StatusOr<Lead> {
        absl::StatusOr<std::optional<Lead>> loaded = LeadStore::FindForUpdate(tx, request.id());
        if (!loaded.ok()) return loaded.status();
        if (!loaded->has_value()) return NotFound("id", request.id());
        const Lead& before = **loaded;
        // For the answer only: the conversion leaves the lead's values alone.
        if (absl::Status s = lead_values.PrepareChange(tx.session(), before.custom_fields(), nullptr, false);
            !s.ok()) {
          return s;
        }
        const int64_t revision = db::RevisionOf(before);
        if (wanted->has_value() && **wanted != revision) return StaleEtag(kLeadEntity);
        if (before.status() == crm::v1::LEAD_STATUS_CONVERTED) return ConvertedIsFinal("id", before);
        if (before.status() == crm::v1::LEAD_STATUS_DISQUALIFIED) {
          return FailedPreconditionField("id", "the lead is disqualified; a disqualified lead cannot be converted");
        }

        absl::StatusOr<crm::v1::Account> account = conversion.ResolveAccount(tx, before);
        if (!account.ok()) return account.status();
        absl::StatusOr<crm::v1::Contact> contact = conversion.ResolveContact(tx, before, *account);
        if (!contact.ok()) return contact.status();
        Lead after = before;
        if (request.create_opportunity()) {
          absl::StatusOr<crm::v1::Opportunity> opportunity = conversion.CreateOpportunity(tx, before, *account);
          if (!opportunity.ok()) return opportunity.status();
          after.set_converted_opportunity_id(opportunity->id());
        }
        after.set_status(crm::v1::LEAD_STATUS_CONVERTED);
        after.set_converted_account_id(account->id());
        after.set_converted_contact_id(contact->id());
        *after.mutable_convert_time() = TimeToTimestamp(now);
        *after.mutable_update_time() = TimeToTimestamp(now);
        absl::StatusOr<bool> written = LeadStore::Update(tx, before, after, revision);
        if (!written.ok()) return written.status();
        if (!*written) return StaleEtag(kLeadEntity);
        after.set_etag(FormatEtag(revision + 1));
        absl::Status event = AppendLeadEvent(rt_, tx, "lead.converted", crm::v1::CHANGE_KIND_UPDATED, &before, after,
                                             after.owner(), call, request.request_id(), now);
        if (!event.ok()) return event;
        return after;
      });
  if (!converted.ok()) return converted.status();
  lead_values.Present(converted->mutable_custom_fields());
  crm::v1::ConvertLeadResponse response;
  response.set_account_id(converted->converted_account_id());
  response.set_contact_id(converted->converted_contact_id());
  response.set_opportunity_id(converted->converted_opportunity_id());
  response.mutable_possible_duplicates()->Assign(conversion.candidates().begin(), conversion.candidates().end());
  *response.mutable_lead() = *std::move(converted);
  return response;
}

}  // namespace crm::pipeline

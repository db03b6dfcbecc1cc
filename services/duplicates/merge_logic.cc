#include "services/duplicates/merge_logic.h"

#include <soci/soci.h>

#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "common/core/errors.h"
#include "common/core/etag.h"
#include "common/core/field_mask.h"
#include "common/core/ids.h"
#include "common/core/keyset_page.h"
#include "common/core/page_token.h"
#include "common/core/time_util.h"
#include "common/core/validation.h"
#include "common/customfields/record_fields.h"
#include "common/db/entity_ops.h"
#include "common/db/tags.h"
#include "common/duplicates/candidate_details.h"
#include "common/duplicates/merge_store.h"
#include "common/duplicates/record_keys.h"
#include "services/accounts/account_logic.h"
#include "services/accounts/account_store.h"
#include "services/accounts/contact_store.h"
#include "services/duplicates/reference_store.h"
#include "services/pipeline/funnel_aggregates.h"

namespace crm::duplicates {
namespace {

using crm::v1::Account;
using crm::v1::Contact;
using crm::v1::Merge;
using google::protobuf::RepeatedPtrField;

constexpr char kMergeIdPrefix[] = "mrg";
constexpr char kMergeAccountsScope[] = "merge_accounts";
constexpr char kMergeContactsScope[] = "merge_contacts";
constexpr char kListScope[] = "merges";
constexpr char kContactEntity[] = "contact";
// Contacts of a merged account read per query while they move.
constexpr int kContactBatch = 500;

// The survivor's fields a merged record fills when the survivor has no value (the rest are
// the survivor's own: name, owner, kind, lifecycle stage; tier belongs to key-account management).
const std::vector<std::string>& FillableAccountFields() {
  static const auto* fields = new std::vector<std::string>{"industry",   "region",    "size_band", "annual_revenue",
                                                           "profession", "age_band", "website",   "phone"};
  return *fields;
}

const std::vector<std::string>& FillableContactFields() {
  static const auto* fields =
      new std::vector<std::string>{"title", "email", "phone", "preferred_channel", "decision_role"};
  return *fields;
}

// Sets the fields of `fields` that `into` lacks and `from` has, and the custom values `into`
// lacks; records each one filled in `filled` ("industry", "custom_fields.seats").
template <typename T>
void FillUnset(const T& from, const std::vector<std::string>& fields, T& into, std::vector<std::string>& filled) {
  const google::protobuf::Reflection* reflection = T::GetReflection();
  std::vector<std::string> paths;
  for (const std::string& name : fields) {
    const google::protobuf::FieldDescriptor* field = T::descriptor()->FindFieldByName(name);
    // Implicit presence: HasField is "not the default value".
    if (!reflection->HasField(into, field) && reflection->HasField(from, field)) paths.push_back(name);
  }
  ApplyPaths(from, paths, &into);
  filled.insert(filled.end(), paths.begin(), paths.end());
  for (const auto& [key, value] : from.custom_fields()) {
    if (into.custom_fields().contains(key)) continue;
    (*into.mutable_custom_fields())[key] = value;
    filled.push_back(absl::StrCat("custom_fields.", key));
  }
}

// Tags are joined (the survivor's first), up to the most an account keeps.
void JoinTags(const Account& from, Account& into, std::vector<std::string>& filled) {
  absl::flat_hash_set<std::string> present(into.tags().begin(), into.tags().end());
  bool joined = false;
  for (const std::string& tag : from.tags()) {
    if (static_cast<size_t>(into.tags_size()) >= db::kMaxTags) break;
    if (present.insert(tag).second) {
      into.add_tags(tag);
      joined = true;
    }
  }
  if (joined && std::find(filled.begin(), filled.end(), "tags") == filled.end()) filled.push_back("tags");
}

std::string MergedField(int index) { return absl::StrCat("merged[", index, "].id"); }

// The request's shape: ids present, the survivor not among the merged, none twice, etags that
// parse. Returns the wanted revisions by id (absent: any).
absl::StatusOr<std::map<std::string, int64_t>> CheckMergeRequest(const std::string& survivor_id,
                                                                 const std::string& survivor_etag,
                                                                 const RepeatedPtrField<crm::v1::MergedRecord>& merged,
                                                                 const std::string& request_id) {
  Validator v;
  v.RequiredId(survivor_id, "survivor_id");
  v.Check(!merged.empty(), "merged", "is required: the records to merge into the survivor");
  v.Check(merged.size() <= kMaxMergedRecords, "merged", absl::StrCat("at most ", kMaxMergedRecords, " records"));
  v.OptionalText(request_id, "request_id", kMaxShortTextLength);
  absl::flat_hash_set<std::string> seen;
  for (int i = 0; i < merged.size() && i < kMaxMergedRecords; ++i) {
    const std::string& id = merged.Get(i).id();
    v.RequiredId(id, MergedField(i));
    v.Check(id.empty() || id != survivor_id, MergedField(i), "is the survivor");
    v.Check(id.empty() || seen.insert(id).second, MergedField(i), "is named twice");
  }
  if (!v.ok()) return v.status();
  std::map<std::string, int64_t> wanted;
  absl::StatusOr<std::optional<int64_t>> survivor_revision = ParseEtag(survivor_etag, "survivor_etag");
  if (!survivor_revision.ok()) return survivor_revision.status();
  if (survivor_revision->has_value()) wanted[survivor_id] = **survivor_revision;
  for (int i = 0; i < merged.size(); ++i) {
    absl::StatusOr<std::optional<int64_t>> revision =
        ParseEtag(merged.Get(i).etag(), absl::StrCat("merged[", i, "].etag"));
    if (!revision.ok()) return revision.status();
    if (revision->has_value()) wanted[merged.Get(i).id()] = **revision;
  }
  return wanted;
}

// The records of a merge, locked for the rest of the transaction in id order (so that two
// merges naming the same records wait for each other instead of deadlocking), then checked
// against the etags given. NOT_FOUND names the request field of a missing record.
template <typename T>
absl::StatusOr<std::map<std::string, T>> LockRecords(
    db::Tx& tx, const db::LoadFn<T>& load, absl::string_view entity_name, const std::string& survivor_id,
    const RepeatedPtrField<crm::v1::MergedRecord>& merged, const std::map<std::string, int64_t>& wanted) {
  std::map<std::string, std::string> field_of{{survivor_id, "survivor_id"}};
  for (int i = 0; i < merged.size(); ++i) field_of[merged.Get(i).id()] = MergedField(i);
  std::map<std::string, T> records;
  for (const auto& [id, field] : field_of) {  // std::map: id order
    absl::StatusOr<std::optional<T>> found = load(tx, id);
    if (!found.ok()) return found.status();
    if (!found->has_value()) {
      // A contact merged away before has no row; say where it went.
      if constexpr (std::is_same_v<T, Contact>) {
        absl::StatusOr<std::optional<crm::v1::MergedInto>> tombstone =
            MergeStore::FindTombstone(tx.session(), crm::v1::DUPLICATE_ENTITY_CONTACT, id);
        if (!tombstone.ok()) return tombstone.status();
        if (tombstone->has_value()) return MergedAway(field, entity_name, **tombstone);
      }
      return NoSuchEntity(field, entity_name, id);
    }
    auto revision = wanted.find(id);
    if (revision != wanted.end() && revision->second != db::RevisionOf(**found)) return StaleEtag(entity_name);
    records.emplace(id, **std::move(found));
  }
  return records;
}

absl::Status StaleIfNotWritten(const absl::StatusOr<bool>& written, absl::string_view entity_name) {
  if (!written.ok()) return written.status();
  return *written ? absl::OkStatus() : StaleEtag(entity_name);
}

// The new merge record (id, survivor, actor, time); the caller adds what was merged and moved.
Merge NewMerge(crm::v1::DuplicateEntity entity, const std::string& survivor_id, const server::CallContext& call,
               const std::string& request_id, absl::Time now) {
  Merge merge;
  merge.set_id(NewIdAt(kMergeIdPrefix, now));
  merge.set_entity(entity);
  merge.set_survivor_id(survivor_id);
  merge.set_actor(call.actor);
  merge.set_request_id(request_id);
  *merge.mutable_merge_time() = TimeToTimestamp(now);
  return merge;
}

// The event of a record merged away: its values, and where it went.
std::vector<FieldDelta> MergedAwayDeltas(const google::protobuf::Message& before,
                                         const google::protobuf::Message& after, const std::string& survivor_id) {
  std::vector<FieldDelta> deltas = DiffMessages(&before, after, BookkeepingFields());
  if (!after.GetDescriptor()->FindFieldByName("merged_into_id")) {
    deltas.push_back({"merged_into_id", "", absl::StrCat("\"", survivor_id, "\"")});
  }
  return deltas;
}

// What one merge's transaction produced: the merge record so far, and the survivor before and
// after taking the merged records' values.
template <typename Record>
struct MergeWork {
  Merge record;
  Record survivor_before;
  Record survivor;
  std::vector<std::string> filled;
  MovedRows moved;
};

// The frame every merge shares: the request's checks; one transaction, run once per request id,
// that locks and checks the records, lets `body` move and retire the merged ones, writes the
// survivor's new values (with `updated` for its event) and the merge record; then the survivor
// as read back for the answer.
template <typename Record, typename Request, typename Response, typename Body, typename Updated>
absl::StatusOr<Response> RunMerge(const server::Runtime& rt, const server::CallContext& call, const Request& request,
                                  const char* scope, crm::v1::DuplicateEntity entity, absl::string_view entity_name,
                                  const db::LoadFn<Record>& load, const db::FindFn<Record>& find_visible,
                                  Body&& body, Updated&& updated) {
  absl::StatusOr<std::map<std::string, int64_t>> wanted =
      CheckMergeRequest(request.survivor_id(), request.survivor_etag(), request.merged(), request.request_id());
  if (!wanted.ok()) return wanted.status();
  const absl::Time now = rt.clock->Now();
  const std::string& survivor_id = request.survivor_id();
  absl::StatusOr<Merge> merge = db::CreateOnce<Merge>(
      *rt.db, call.deadline, scope, request.request_id(), request, MergeStore::Find,
      [&](db::Tx& tx) -> absl::StatusOr<Merge> {
        absl::StatusOr<std::map<std::string, Record>> records =
            LockRecords<Record>(tx, load, entity_name, survivor_id, request.merged(), *wanted);
        if (!records.ok()) return records.status();
        MergeWork<Record> work;
        work.record = NewMerge(entity, survivor_id, call, request.request_id(), now);
        work.survivor_before = records->at(survivor_id);
        work.survivor = work.survivor_before;
        if (absl::Status s = body(tx, *records, now, work); !s.ok()) return s;
        const std::vector<FieldDelta> changes = DiffMessages(&work.survivor_before, work.survivor, BookkeepingFields());
        if (!changes.empty()) {
          *work.survivor.mutable_update_time() = TimeToTimestamp(now);
          if (absl::Status s = updated(tx, work, changes, now); !s.ok()) return s;
        }
        work.record.mutable_filled_fields()->Assign(work.filled.begin(), work.filled.end());
        for (const auto& [table, rows] : work.moved) (*work.record.mutable_moved())[table] = rows;
        if (absl::Status s = MergeStore::Insert(tx, work.record); !s.ok()) return s;
        return work.record;
      });
  if (!merge.ok()) return merge.status();
  absl::StatusOr<Record> survivor =
      db::ReadEntity<Record>(*rt.db, call.deadline, find_visible, merge->survivor_id(), entity_name, "survivor_id");
  if (!survivor.ok()) return survivor.status();
  Response response;
  *response.mutable_merge() = *std::move(merge);
  *response.mutable_survivor() = *std::move(survivor);
  return response;
}

}  // namespace

absl::StatusOr<crm::v1::MergeAccountsResponse> MergeLogic::MergeAccounts(const server::CallContext& call,
                                                                         const crm::v1::MergeAccountsRequest& request) {
  const std::string& survivor_id = request.survivor_id();
  const auto body = [&](db::Tx& tx, const std::map<std::string, Account>& accounts, absl::Time now,
                        MergeWork<Account>& work) -> absl::Status {
    const auto refuse_gone = [](const Account& a, const std::string& field) -> absl::Status {
      if (!a.merged_into_id().empty()) {
        return FailedPreconditionField(field,
                                       absl::StrCat("the account was already merged into \"", a.merged_into_id(), "\""));
      }
      if (a.has_delete_time()) return FailedPreconditionField(field, "the account is deleted; undelete it first");
      return absl::OkStatus();
    };
    if (absl::Status s = refuse_gone(work.survivor_before, "survivor_id"); !s.ok()) return s;
    for (int i = 0; i < request.merged_size(); ++i) {
      if (absl::Status s = refuse_gone(accounts.at(request.merged(i).id()), MergedField(i)); !s.ok()) return s;
    }
    for (const crm::v1::MergedRecord& ref : request.merged()) {
      const Account& merged = accounts.at(ref.id());
      *work.record.add_merged_accounts() = merged;
      FillUnset(merged, FillableAccountFields(), work.survivor, work.filled);
      JoinTags(merged, work.survivor, work.filled);

      // Contacts through their store: their duplicate keys are scoped by account.
      std::string after_id;
      while (true) {
        accounts::ContactListQuery query;
        query.account_id = merged.id();
        query.after_id = after_id;
        query.limit = kContactBatch;
        absl::StatusOr<std::vector<Contact>> contacts = accounts::ContactStore::List(tx.session(), query);
        if (!contacts.ok()) return contacts.status();
        for (const Contact& contact : *contacts) {
          Contact moved_contact = contact;
          moved_contact.set_account_id(survivor_id);
          *moved_contact.mutable_update_time() = TimeToTimestamp(now);
          absl::Status written = StaleIfNotWritten(
              accounts::ContactStore::Update(tx, contact, moved_contact, db::RevisionOf(contact)), kContactEntity);
          if (!written.ok()) return written;
          ++work.moved["contacts"];
        }
        if (static_cast<int>(contacts->size()) < kContactBatch) break;
        after_id = contacts->back().id();
      }
      if (absl::Status s = ReferenceStore::MoveAccountRows(tx, merged.id(), survivor_id, now, work.moved); !s.ok()) {
        return s;
      }

      Account tombstone = merged;
      tombstone.set_merged_into_id(survivor_id);
      *tombstone.mutable_delete_time() = TimeToTimestamp(now);
      *tombstone.mutable_update_time() = TimeToTimestamp(now);
      absl::Status written = StaleIfNotWritten(
          accounts::AccountStore::Update(tx, merged, tombstone, db::RevisionOf(merged)), accounts::kAccountEntity);
      if (!written.ok()) return written;
      absl::Status event = rt_.outbox->AppendChange(
          tx, "account.merged", accounts::kAccountEntity, merged.id(), crm::v1::CHANGE_KIND_DELETED,
          MergedAwayDeltas(merged, tombstone, survivor_id), merged.owner(), call.actor, request.request_id(), now);
      if (!event.ok()) return event;
    }
    // The moved opportunities were counted under the merged accounts' region and industry; now
    // under the survivor's (a region or industry it takes from them moves the counts once more
    // through its account.updated event, as any update of an account does).
    if (work.moved.count("funnel_opportunities") > 0) return pipeline::CountAccountChange(tx, survivor_id);
    return absl::OkStatus();
  };
  const auto updated = [&](db::Tx& tx, MergeWork<Account>& work, const std::vector<FieldDelta>& changes,
                           absl::Time now) -> absl::Status {
    accounts::NormaliseAccount(work.survivor);
    absl::Status written = StaleIfNotWritten(
        accounts::AccountStore::Update(tx, work.survivor_before, work.survivor, db::RevisionOf(work.survivor_before)),
        accounts::kAccountEntity);
    if (!written.ok()) return written;
    return rt_.outbox->AppendChange(tx, "account.updated", accounts::kAccountEntity, survivor_id,
                                    crm::v1::CHANGE_KIND_UPDATED, changes, work.survivor.owner(), call.actor,
                                    request.request_id(), now);
  };
  return RunMerge<Account, crm::v1::MergeAccountsRequest, crm::v1::MergeAccountsResponse>(
      rt_, call, request, kMergeAccountsScope, crm::v1::DUPLICATE_ENTITY_ACCOUNT, accounts::kAccountEntity,
      accounts::AccountStore::FindForUpdate,
      [](soci::session& sql, const std::string& id) {
        return customfields::Visible(sql, crm::v1::CUSTOM_FIELD_ENTITY_ACCOUNT, accounts::AccountStore::Find(sql, id));
      },
      body, updated);
}

absl::StatusOr<crm::v1::MergeContactsResponse> MergeLogic::MergeContacts(const server::CallContext& call,
                                                                         const crm::v1::MergeContactsRequest& request) {
  const std::string& survivor_id = request.survivor_id();
  std::string owner;  // the account's, for the events
  const auto body = [&](db::Tx& tx, const std::map<std::string, Contact>& contacts, absl::Time now,
                        MergeWork<Contact>& work) -> absl::Status {
    const std::string& account_id = work.survivor_before.account_id();
    for (int i = 0; i < request.merged_size(); ++i) {
      const Contact& merged = contacts.at(request.merged(i).id());
      if (merged.account_id() != account_id) {
        return FailedPreconditionField(
            MergedField(i), absl::StrCat("the contact belongs to account \"", merged.account_id(),
                                         "\" and the survivor to \"", account_id, "\"; merge the accounts first"));
      }
    }
    absl::StatusOr<std::optional<Account>> account = accounts::AccountStore::Find(tx.session(), account_id);
    if (!account.ok()) return account.status();
    owner = account->has_value() ? (*account)->owner() : "";
    for (const crm::v1::MergedRecord& ref : request.merged()) {
      const Contact& merged = contacts.at(ref.id());
      *work.record.add_merged_contacts() = merged;
      FillUnset(merged, FillableContactFields(), work.survivor, work.filled);
      if (absl::Status s = ReferenceStore::MoveContactRows(tx, account_id, merged.id(), survivor_id, now, work.moved);
          !s.ok()) {
        return s;
      }
      absl::Status removed =
          StaleIfNotWritten(accounts::ContactStore::Delete(tx, merged.id(), db::RevisionOf(merged)), kContactEntity);
      if (!removed.ok()) return removed;
      absl::Status event = rt_.outbox->AppendChange(
          tx, "contact.merged", kContactEntity, merged.id(), crm::v1::CHANGE_KIND_DELETED,
          MergedAwayDeltas(merged, Contact(), survivor_id), owner, call.actor, request.request_id(), now);
      if (!event.ok()) return event;
    }
    return absl::OkStatus();
  };
  const auto updated = [&](db::Tx& tx, MergeWork<Contact>& work, const std::vector<FieldDelta>& changes,
                           absl::Time now) -> absl::Status {
    absl::Status written = StaleIfNotWritten(
        accounts::ContactStore::Update(tx, work.survivor_before, work.survivor, db::RevisionOf(work.survivor_before)),
        kContactEntity);
    if (!written.ok()) return written;
    return rt_.outbox->AppendChange(tx, "contact.updated", kContactEntity, survivor_id, crm::v1::CHANGE_KIND_UPDATED,
                                    changes, owner, call.actor, request.request_id(), now);
  };
  return RunMerge<Contact, crm::v1::MergeContactsRequest, crm::v1::MergeContactsResponse>(
      rt_, call, request, kMergeContactsScope, crm::v1::DUPLICATE_ENTITY_CONTACT, kContactEntity,
      accounts::ContactStore::FindForUpdate,
      [](soci::session& sql, const std::string& id) {
        return customfields::Visible(sql, crm::v1::CUSTOM_FIELD_ENTITY_CONTACT, accounts::ContactStore::Find(sql, id));
      },
      body, updated);
}

absl::StatusOr<Merge> MergeLogic::Get(const server::CallContext& call, const crm::v1::GetMergeRequest& request) {
  if (absl::Status s = Validator().RequiredId(request.id(), "id").status(); !s.ok()) return s;
  return db::ReadEntity<Merge>(*rt_.db, call.deadline, MergeStore::Find, request.id(), "merge");
}

absl::StatusOr<crm::v1::ListMergesResponse> MergeLogic::List(const server::CallContext& call,
                                                             const crm::v1::ListMergesRequest& request) {
  absl::StatusOr<int> page_size = ResolvePageSize(request.page_size());
  if (!page_size.ok()) return page_size.status();
  Validator v;
  v.Check(request.entity() == crm::v1::DUPLICATE_ENTITY_UNSPECIFIED ||
              request.entity() == crm::v1::DUPLICATE_ENTITY_ACCOUNT ||
              request.entity() == crm::v1::DUPLICATE_ENTITY_CONTACT,
          "entity", "must be ACCOUNT or CONTACT when set");
  if (!request.survivor_id().empty()) v.RequiredId(request.survivor_id(), "survivor_id");
  if (!request.merged_id().empty()) v.RequiredId(request.merged_id(), "merged_id");
  if (!v.ok()) return v.status();
  absl::StatusOr<KeysetPage> page = KeysetPage::Open(*rt_.page_tokens, kListScope, request, *page_size, 1);
  if (!page.ok()) return page.status();
  MergeListQuery query;
  query.entity = request.entity();
  query.survivor_id = request.survivor_id();
  query.merged_id = request.merged_id();
  if (!page->first()) query.after_id = page->cursor()[0];
  query.limit = page->fetch_limit();
  absl::StatusOr<std::vector<Merge>> merges =
      db::ReadValue(*rt_.db, call.deadline, [&](soci::session& sql) { return MergeStore::List(sql, query); });
  if (!merges.ok()) return merges.status();
  crm::v1::ListMergesResponse response;
  response.set_next_page_token(page->Finish(&*merges, [](const Merge& m) { return KeysetPage::Cursor{m.id()}; }));
  for (Merge& m : *merges) *response.add_merges() = std::move(m);
  return response;
}

}  // namespace crm::duplicates

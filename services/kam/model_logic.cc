#include "services/kam/model_logic.h"

#include <soci/soci.h>

#include "absl/strings/str_cat.h"
#include "common/core/errors.h"
#include "common/core/field_mask.h"
#include "common/core/keyset_page.h"
#include "common/core/time_util.h"
#include "common/db/entity_ops.h"
#include "services/kam/model_store.h"
#include "services/kam/scoring_model.h"

namespace crm::kam {
namespace {

using ModelProto = crm::v1::ScoringModel;

constexpr char kModelEntity[] = "scoring_model";
constexpr char kListModelsScope[] = "kam.scoring_models";

const absl::flat_hash_set<std::string>& UpdatableFields() {
  static const auto* fields = new absl::flat_hash_set<std::string>{
      "weights", "abc", "window_days", "lifecycle", "tiers", "lifetime_value", "reevaluate_every_days", "note"};
  return *fields;
}

}  // namespace

absl::StatusOr<ModelProto> LoadScoringModel(soci::session& sql, int32_t version, absl::string_view field) {
  absl::StatusOr<std::optional<ModelProto>> found = ModelStore::Find(sql, version);
  if (!found.ok()) return found.status();
  if (!found->has_value()) {
    return NotFoundField(field, absl::StrCat("scoring model version ", version, " does not exist"));
  }
  return **std::move(found);
}

absl::StatusOr<ModelProto> ModelLogic::Get(const server::CallContext& call, const crm::v1::GetScoringModelRequest& request) {
  if (request.version() < 0) return InvalidField("version", "must not be negative (0 = the version in force)");
  return db::ReadValue(*rt_.db, call.deadline,
                       [&](soci::session& sql) { return LoadScoringModel(sql, request.version(), "version"); });
}

absl::StatusOr<crm::v1::ListScoringModelsResponse> ModelLogic::List(const server::CallContext& call,
                                                                    const crm::v1::ListScoringModelsRequest& request) {
  absl::StatusOr<int> page_size = ResolvePageSize(request.page_size());
  if (!page_size.ok()) return page_size.status();
  absl::StatusOr<KeysetPage> page = KeysetPage::Open(*rt_.page_tokens, kListModelsScope, request, *page_size, 1);
  if (!page.ok()) return page.status();
  int32_t before = 0;
  if (!page->first()) {
    absl::StatusOr<int64_t> cursor = page->IntAt(0);
    if (!cursor.ok()) return cursor.status();
    before = static_cast<int32_t>(*cursor);
  }
  absl::StatusOr<std::vector<ModelProto>> models = db::ReadValue(
      *rt_.db, call.deadline, [&](soci::session& sql) { return ModelStore::List(sql, before, page->fetch_limit()); });
  if (!models.ok()) return models.status();
  crm::v1::ListScoringModelsResponse response;
  response.set_next_page_token(
      page->Finish(&*models, [](const ModelProto& m) { return KeysetPage::Cursor{absl::StrCat(m.version())}; }));
  for (ModelProto& m : *models) *response.add_models() = std::move(m);
  return response;
}

absl::StatusOr<ModelProto> ModelLogic::Update(const server::CallContext& call,
                                                const crm::v1::UpdateScoringModelRequest& request) {
  if (!request.has_model()) return InvalidField("model", "is required");
  if (request.based_on_version() < 0) return InvalidField("based_on_version", "must not be negative");
  absl::StatusOr<std::vector<std::string>> paths =
      ResolveUpdatePaths(request.model(), request.update_mask(), UpdatableFields());
  if (!paths.ok()) return paths.status();
  if (paths->empty()) return InvalidField("update_mask", "names no change to the model");

  const absl::Time now = rt_.clock->Now();
  ModelProto written;
  absl::Status status = rt_.db->Write(
      [&](db::Tx& tx) -> absl::Status {
        absl::StatusOr<ModelProto> current = LoadScoringModel(tx.session(), 0, "based_on_version");
        if (!current.ok()) return current.status();
        if (request.based_on_version() != 0 && request.based_on_version() != current->version()) {
          return absl::AbortedError(absl::StrCat("the model in force is version ", current->version(),
                                                 ", not ", request.based_on_version(), "; re-read it and retry"));
        }
        ModelProto next = *current;
        ApplyPaths(request.model(), *paths, &next);
        if (absl::Status s = ValidateScoringModel(next, "model"); !s.ok()) return s;
        next.set_version(current->version() + 1);
        next.set_created_by(call.actor);
        *next.mutable_create_time() = TimeToTimestamp(now);
        absl::Status inserted = ModelStore::Insert(tx, next);
        // Another update made this version between our read and insert.
        if (absl::IsAlreadyExists(inserted)) return absl::AbortedError("the scoring model changed meanwhile; retry");
        if (!inserted.ok()) return inserted;
        written = next;
        return rt_.outbox->AppendChange(tx, "scoring_model.updated", kModelEntity, absl::StrCat(next.version()),
                                        crm::v1::CHANGE_KIND_CREATED,
                                        DiffMessages(&*current, next, {"version", "created_by", "create_time"}), "",
                                        call.actor, call.correlation_id, now);
      },
      call.deadline);
  if (!status.ok()) return status;
  return written;
}

}  // namespace crm::kam

#include "services/accounts/interaction_store.h"

#include <soci/soci.h>

#include "absl/strings/str_cat.h"
#include "common/core/time_util.h"
#include "common/db/query.h"
#include "common/db/row.h"
#include "common/db/sql_error.h"

namespace soci {

// The one mapping between an interactions row and crm.v1.Interaction.
template <>
struct type_conversion<crm::v1::Interaction> {
  typedef values base_type;

  static void from_base(const values& v, indicator, crm::v1::Interaction& i) {
    using crm::db::GetInt64;
    using crm::db::GetString;
    i.Clear();
    i.set_id(GetString(v, "id"));
    i.set_account_id(GetString(v, "account_id"));
    i.set_contact_id(GetString(v, "contact_id"));
    i.set_channel(static_cast<crm::v1::InteractionChannel>(GetInt64(v, "channel")));
    i.set_direction(static_cast<crm::v1::Direction>(GetInt64(v, "direction")));
    i.set_subject(GetString(v, "subject"));
    i.set_body(GetString(v, "body"));
    *i.mutable_occur_time() = crm::MicrosToTimestamp(GetInt64(v, "occur_time"));
    i.set_user(GetString(v, "user_id"));
    *i.mutable_create_time() = crm::MicrosToTimestamp(GetInt64(v, "create_time"));
  }

  template <typename Values>  // soci::values, or db::NamedParameters (common/db/named_parameters.h)
  static void to_base(const crm::v1::Interaction& i, Values& v, indicator& ind) {
    v.set("id", i.id());
    v.set("account_id", i.account_id());
    v.set("contact_id", i.contact_id(), i.contact_id().empty() ? i_null : i_ok);
    v.set("channel", static_cast<long long>(i.channel()));
    v.set("direction", static_cast<long long>(i.direction()));
    v.set("subject", i.subject());
    v.set("body", i.body());
    v.set("occur_time", static_cast<long long>(crm::TimestampToMicros(i.occur_time())));
    v.set("user_id", i.user());
    v.set("create_time", static_cast<long long>(crm::TimestampToMicros(i.create_time())));
    ind = i_ok;
  }
};

}  // namespace soci

namespace crm::accounts {
namespace {

constexpr char kInteractionColumns[] =
    "id, account_id, contact_id, channel, direction, subject, body, occur_time, user_id, create_time";
const std::string kSelectInteraction = absl::StrCat("SELECT ", kInteractionColumns, " FROM interactions");
const std::string kSelectInteractionById = kSelectInteraction + " WHERE id = :id";
constexpr char kInsertInteraction[] =
    "INSERT INTO interactions (id, account_id, contact_id, channel, direction, subject, body,"
    " occur_time, user_id, create_time) VALUES (:id, :account_id, :contact_id, :channel, :direction,"
    " :subject, :body, :occur_time, :user_id, :create_time)";

}  // namespace

absl::StatusOr<std::optional<crm::v1::Interaction>> InteractionStore::Find(soci::session& sql, const std::string& id) {
  return db::QueryOne<crm::v1::Interaction>(sql, kSelectInteractionById, id, "read interaction");
}

absl::Status InteractionStore::Insert(db::Tx& tx, const crm::v1::Interaction& interaction) {
  return db::Guard("insert interaction", [&]() -> absl::Status {
    db::ExecuteRow(tx.session(), kInsertInteraction, interaction);
    return absl::OkStatus();
  });
}

absl::StatusOr<std::vector<crm::v1::Interaction>> InteractionStore::List(soci::session& sql,
                                                                        const InteractionListQuery& query) {
  db::SqlQuery q(kSelectInteraction);
  if (!query.account_id.empty()) q.Where("account_id = ?", query.account_id);
  if (!query.contact_id.empty()) q.Where("contact_id = ?", query.contact_id);
  if (query.start_micros.has_value()) q.Where("occur_time >= ?", static_cast<long long>(*query.start_micros));
  if (query.end_micros.has_value()) q.Where("occur_time < ?", static_cast<long long>(*query.end_micros));
  if (query.after_occur_micros.has_value()) {
    const long long key = *query.after_occur_micros;
    q.Where("(occur_time < ? OR (occur_time = ? AND id < ?))", key, key, query.after_id);
  }
  q.Append(" ORDER BY occur_time DESC, id DESC LIMIT ?", static_cast<long long>(query.limit));

  return db::QueryAll<crm::v1::Interaction>(sql, q, "list interactions");
}

}  // namespace crm::accounts

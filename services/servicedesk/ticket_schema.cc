#include "services/servicedesk/servicedesk_schema.h"

namespace crm::servicedesk {

// Tables of the ticket area. Times are microseconds since the Unix epoch (UTC); enums are stored
// as their proto numbers; `revision` backs the etag.
db::MigrationSet TicketMigrations() {
  return db::MigrationSet{
      "servicedesk.tickets",
      {
          {1,
           "tickets",
           {
               // The SLA columns are a snapshot taken when the targets were (re)computed: the
               // policy, calendar, warning percentage and targets in business minutes (0 = no
               // target). *_due / *_warning are NULL while the clock is paused, once the target
               // is met, or without a target. *_breached is 1 once the target passed unmet or was
               // met late; it never goes back (metrics count it). next_escalation_time: the
               // earliest instant the escalation sweep has work on the ticket (NULL: none).
               "CREATE TABLE IF NOT EXISTS tickets ("
               " id VARCHAR(64) NOT NULL PRIMARY KEY,"
               " account_id VARCHAR(64) NOT NULL,"
               " contact_id VARCHAR(64) NOT NULL,"
               " channel BIGINT NOT NULL,"
               " category VARCHAR(200) NOT NULL,"
               " priority BIGINT NOT NULL,"
               " subject VARCHAR(800) NOT NULL,"
               " description {{LONG_TEXT}} NOT NULL,"
               " status BIGINT NOT NULL,"
               " assignee VARCHAR(200) NOT NULL,"
               " assignee_group VARCHAR(200) NOT NULL,"
               " escalation_level BIGINT NOT NULL,"
               " account_tier BIGINT NOT NULL,"
               " sla_policy_id VARCHAR(64) NOT NULL,"
               " calendar_id VARCHAR(64) NOT NULL,"
               " warning_percent BIGINT NOT NULL,"
               " first_response_minutes BIGINT NOT NULL,"
               " resolution_minutes BIGINT NOT NULL,"
               " first_response_due BIGINT NULL,"
               " first_response_warning BIGINT NULL,"
               " resolution_due BIGINT NULL,"
               " resolution_warning BIGINT NULL,"
               " first_response_breached BIGINT NOT NULL,"
               " resolution_breached BIGINT NOT NULL,"
               " next_escalation_time BIGINT NULL,"
               " reporter VARCHAR(200) NOT NULL,"
               " create_time BIGINT NOT NULL,"
               " update_time BIGINT NOT NULL,"
               " first_response_time BIGINT NULL,"
               " resolve_time BIGINT NULL,"
               " close_time BIGINT NULL,"
               " revision BIGINT NOT NULL){{TABLE_OPTIONS}}",
               "CREATE INDEX IF NOT EXISTS tickets_by_account ON tickets (account_id, id)",
               "CREATE INDEX IF NOT EXISTS tickets_by_status ON tickets (status, id)",
               "CREATE INDEX IF NOT EXISTS tickets_by_assignee ON tickets (assignee, id)",
               "CREATE INDEX IF NOT EXISTS tickets_by_next_escalation ON tickets (next_escalation_time)",
               // Stretches during which the SLA clock stood still: kind 1 = pending (both
               // targets), 2 = resolved (the resolution target, until a reopen). end_time NULL
               // while it lasts.
               "CREATE TABLE IF NOT EXISTS ticket_pauses ("
               " ticket_id VARCHAR(64) NOT NULL,"
               " start_time BIGINT NOT NULL,"
               " kind BIGINT NOT NULL,"
               " end_time BIGINT NULL,"
               " PRIMARY KEY (ticket_id, start_time, kind)){{KEYED_TABLE_OPTIONS}}",
               "CREATE TABLE IF NOT EXISTS ticket_comments ("
               " id VARCHAR(64) NOT NULL PRIMARY KEY,"
               " ticket_id VARCHAR(64) NOT NULL,"
               " visibility BIGINT NOT NULL,"
               " author_kind BIGINT NOT NULL,"
               " author VARCHAR(200) NOT NULL,"
               " body {{LONG_TEXT}} NOT NULL,"
               " create_time BIGINT NOT NULL){{TABLE_OPTIONS}}",
               "CREATE INDEX IF NOT EXISTS ticket_comments_by_ticket ON ticket_comments (ticket_id, id)",
               // What happened to a ticket (TicketChange), in order of `seq`. kind is a
               // TicketChangeKind number; escalations are kind 4.
               "CREATE TABLE IF NOT EXISTS ticket_history ("
               " seq {{AUTO_PK}},"
               " ticket_id VARCHAR(64) NOT NULL,"
               " kind BIGINT NOT NULL,"
               " from_value VARCHAR(800) NOT NULL,"
               " to_value VARCHAR(800) NOT NULL,"
               " reason VARCHAR(2000) NOT NULL,"
               " actor VARCHAR(200) NOT NULL,"
               " change_time BIGINT NOT NULL){{TABLE_OPTIONS}}",
               "CREATE INDEX IF NOT EXISTS ticket_history_by_ticket ON ticket_history (ticket_id, seq)",
               "CREATE INDEX IF NOT EXISTS ticket_history_by_kind ON ticket_history (kind, change_time)",
           },
           nullptr},
          {2,
           "ticket custom field values",
           {
               // The ticket's custom values whole (common/customfields EncodeValues), NULL when it
               // has none; filters use the value index, custom_field_values.
               "ALTER TABLE tickets ADD COLUMN custom_fields {{LONG_TEXT}} NULL",
           }},
      }};
}

}  // namespace crm::servicedesk

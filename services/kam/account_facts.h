// What key-account management knows about each account as of an instant: the classification
// engine's inputs (AccountFacts) and the extra figures risk and lifetime value need, read from
// the accounts, orders, tickets and surveys by FactsStore.
//
// Definitions (day = UTC calendar day; as_of_day is the day of as_of; money in micros of the
// sales base currency, converted at the sales settings' rates):
//   - Orders counted: not cancelled, order_day <= as_of_day. An order's time is its day's start.
//   - Window: the model's window_days days ending with as_of_day (order_day > as_of_day - window).
//     orders_in_window, revenue (Σ total) and profit are over the window. Orders carry no cost,
//     so profit = revenue × the model's margin (lifetime_value.margin).
//   - Trend: recent = revenue of the last trend_period_days days, previous = the period before.
//   - Overdue share: of the window's orders, the amount still unpaid at reclassification time
//     whose due day is before as_of_day, over the window's revenue (0 with no revenue).
//   - Lifetime: every counted order (count and revenue).
//   - Satisfaction: mean survey score of the account's tickets, surveys submitted in the window.
//   - Open P1 tickets: tickets new, open or pending at reclassification time, priority P1,
//     created at or before as_of.
#pragma once

#include <cstdint>
#include <string>

#include "crm/v1/account.pb.h"
#include "services/kam/classification.h"

namespace crm::kam {

struct AccountData {
  AccountFacts facts;  // facts.account_id is the account's id
  std::string owner;
  crm::v1::AccountTier tier = crm::v1::ACCOUNT_TIER_UNSPECIFIED;  // on the account now
  int64_t lifetime_orders = 0;
  int64_t lifetime_revenue_micros = 0;
  int64_t open_p1_tickets = 0;
  int64_t surveys_in_window = 0;
};

// The parameters the facts depend on (from the scoring model) and the instant.
struct FactsWindow {
  absl::Time as_of;
  int window_days = 365;
  int trend_period_days = 90;
  double margin = 0.3;
};

}  // namespace crm::kam

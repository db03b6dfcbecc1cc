// Rules for orders and the payments received against them, and an account's receivables.
// No gRPC and no SQL here.
//
// Decisions:
//  - An order comes from a WON opportunity (its account and owner are taken from it; without
//    lines the total is the opportunity's amount) or is direct (account_id and lines required).
//  - One live order per opportunity: a second one while the first is not cancelled is
//    ALREADY_EXISTS naming order.opportunity_id; cancelling the order frees the opportunity.
//  - All lines share one currency; total = Σ quantity × unit price, exact in micros; the total
//    must be more than zero. order_date defaults to today (UTC, the service clock); due_date
//    defaults to the order date ("due on receipt") and may not precede it.
//  - A payment is in the order's currency, more than zero and at most what is still due; the
//    order row is locked (and its revision checked) in the payment's transaction, so concurrent
//    payments never add up to more than the total. Paying the rest marks the order PAID.
//  - Only an OPEN order with nothing paid can be cancelled; money received is never silently
//    dropped (refunds are not modelled).
#pragma once

#include "absl/status/statusor.h"
#include "common/server/call_context.h"
#include "common/server/runtime.h"
#include "crm/v1/pipeline.pb.h"

namespace crm::pipeline {

class OrderLogic {
 public:
  explicit OrderLogic(const server::Runtime& runtime) : rt_(runtime) {}

  absl::StatusOr<crm::v1::Order> Create(const server::CallContext& call, const crm::v1::CreateOrderRequest& request);
  absl::StatusOr<crm::v1::Order> Get(const server::CallContext& call, const crm::v1::GetOrderRequest& request);
  absl::StatusOr<crm::v1::ListOrdersResponse> List(const server::CallContext& call,
                                                   const crm::v1::ListOrdersRequest& request);
  absl::StatusOr<crm::v1::Order> Cancel(const server::CallContext& call, const crm::v1::CancelOrderRequest& request);

  absl::StatusOr<crm::v1::Payment> RecordPayment(const server::CallContext& call,
                                                 const crm::v1::RecordPaymentRequest& request);
  absl::StatusOr<crm::v1::ListPaymentsResponse> ListPayments(const server::CallContext& call,
                                                             const crm::v1::ListPaymentsRequest& request);

  absl::StatusOr<crm::v1::Receivables> GetReceivables(const server::CallContext& call,
                                                      const crm::v1::GetReceivablesRequest& request);

 private:
  const server::Runtime& rt_;
};

}  // namespace crm::pipeline

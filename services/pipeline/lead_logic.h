// Rules for leads: validation, creation with request-id replay, field-mask updates under etags,
// hard delete, filtered keyset lists, the status machine, and ConvertLead. No gRPC and no SQL here.
//
// Status machine (every other move is FAILED_PRECONDITION naming the lead's id field):
//
//   NEW ──qualify──▶ QUALIFIED ──convert──▶ CONVERTED (terminal)
//    │                  │
//    │                  └──disqualify(reason)──▶ DISQUALIFIED (closed)
//    ├──disqualify(reason)──────────────────────▶ DISQUALIFIED
//    └──convert──▶ CONVERTED
//
//  - A NEW lead may be converted directly (qualification is a step sales may skip).
//  - DISQUALIFIED is closed: it cannot be qualified or converted again. A prospect who comes
//    back is a new lead; the old one keeps its reason, so campaign figures stay honest.
//  - CONVERTED is terminal: no qualify, disqualify, convert, update or delete. The account,
//    contact and opportunity are the live records from then on.
//  - Disqualifying needs a reason (INVALID_ARGUMENT naming `reason`).
#pragma once

#include "absl/status/statusor.h"
#include "common/server/call_context.h"
#include "common/server/runtime.h"
#include "crm/v1/pipeline.pb.h"

namespace crm::pipeline {

inline constexpr char kLeadEntity[] = "lead";

// Checks every client-settable field of `lead`; field names are prefixed with `prefix`
// (e.g. "lead"). Collects all violations. Does not look up the campaign.
absl::Status ValidateLead(const crm::v1::Lead& lead, const std::string& prefix);

class LeadLogic {
 public:
  explicit LeadLogic(const server::Runtime& runtime) : rt_(runtime) {}

  absl::StatusOr<crm::v1::Lead> Create(const server::CallContext& call, const crm::v1::CreateLeadRequest& request);
  absl::StatusOr<crm::v1::Lead> Get(const server::CallContext& call, const crm::v1::GetLeadRequest& request);
  absl::StatusOr<crm::v1::Lead> Update(const server::CallContext& call, const crm::v1::UpdateLeadRequest& request);
  // A hard delete of a lead that was not converted.
  absl::StatusOr<crm::v1::DeleteLeadResponse> Delete(const server::CallContext& call,
                                                     const crm::v1::DeleteLeadRequest& request);
  absl::StatusOr<crm::v1::ListLeadsResponse> List(const server::CallContext& call,
                                                  const crm::v1::ListLeadsRequest& request);
  absl::StatusOr<crm::v1::Lead> Qualify(const server::CallContext& call, const crm::v1::QualifyLeadRequest& request);
  absl::StatusOr<crm::v1::Lead> Disqualify(const server::CallContext& call,
                                           const crm::v1::DisqualifyLeadRequest& request);
  // One write transaction: the account (new, or the live existing one), the contact, optionally
  // the opportunity, and the lead marked CONVERTED with their ids. Any failure writes nothing. A
  // retry with the same request_id returns the first result.
  absl::StatusOr<crm::v1::ConvertLeadResponse> Convert(const server::CallContext& call,
                                                       const crm::v1::ConvertLeadRequest& request);

 private:
  const server::Runtime& rt_;
};

}  // namespace crm::pipeline

// Every unary RPC of crm.v1.KeyAccountService, listed once. Each layer of the key-account client
// (stub, metadata decorator, connection, client, mocks) expands this list, as
// servicedesk_rpcs.h does for ServiceDeskService; keyaccount_connection_test.cc checks the list
// against the service. Reclassify, the one streaming RPC, is declared by hand in each layer.
//
// A row is X(Method, Request, Response, Kind). The kinds of pipeline_rpcs.h:
//   kRead    a read: retried on UNAVAILABLE;
//   kCreate  carries a request_id, which the connection fills in when the caller left it empty;
//            the server answers a repeated request_id with the first result, so it is retried;
//   kChange  sent once;
// and two that only this service needs (KeyAccountCallKind in keyaccount_connection_impl.h):
//   kIfMatch retried only when the request carries its precondition (an etag, a based_on_version):
//            then a repeat cannot write twice. If the first attempt committed and only its reply
//            was lost, the repeat meets the new etag / version and answers ABORTED, which the
//            caller resolves as any conflict: read again. Without the precondition: sent once.
//   kSet     a last-writer-wins set of a whole value under a key: retried, since repeating it
//            leaves the same state (at most the outbox gets a second change event listing no
//            changed field). A repeat can land after a set someone else made meanwhile; that is
//            the order last-writer-wins accepts between any two close writers anyway.
#pragma once

#define CRM_KEYACCOUNT_RPCS(X)                                                                  \
  X(GetScoringModel, GetScoringModelRequest, ScoringModel, kRead)                               \
  X(ListScoringModels, ListScoringModelsRequest, ListScoringModelsResponse, kRead)              \
  /* based_on_version > 0 guards it: a repeat is ABORTED rather than a second version. */       \
  /* Without it (0) the server makes a new version per attempt, so it is sent once. */          \
  X(UpdateScoringModel, UpdateScoringModelRequest, ScoringModel, kIfMatch)                      \
                                                                                                \
  X(GetClassification, GetClassificationRequest, AccountClassification, kRead)                  \
  X(ListClassifications, ListClassificationsRequest, ListClassificationsResponse, kRead)        \
                                                                                                \
  /* Replaces both scores of one account: a repeat writes the same values again. */             \
  X(SetQualitativeInputs, SetQualitativeInputsRequest, QualitativeInputs, kSet)                 \
  /* Replaces the account's override; a repeat finds the same override and the same tier, */    \
  /* and a tier change is recorded only where the tier changes, so it records nothing more. */  \
  X(SetTierOverride, SetTierOverrideRequest, TierOverride, kSet)                                \
  /* Sent once: a repeat after a clear that committed finds no override in force and reports */ \
  /* an error for a clear that happened (or, after someone set a new one, clears theirs). */    \
  X(ClearTierOverride, ClearTierOverrideRequest, ClearTierOverrideResponse, kChange)            \
  X(ListTierChanges, ListTierChangesRequest, ListTierChangesResponse, kRead)                    \
                                                                                                \
  X(ListTierPolicies, ListTierPoliciesRequest, ListTierPoliciesResponse, kRead)                 \
  /* One policy per tier, the masked fields set to given values: a repeat sets them again. */   \
  X(UpdateTierPolicy, UpdateTierPolicyRequest, TierPolicy, kSet)                                \
  X(ListAccountsWithoutManager, ListAccountsWithoutManagerRequest,                              \
    ListAccountsWithoutManagerResponse, kRead)                                                  \
  X(ListOverdueContacts, ListOverdueContactsRequest, ListOverdueContactsResponse, kRead)        \
                                                                                                \
  X(CreateAccountPlan, CreateAccountPlanRequest, AccountPlan, kCreate)                          \
  X(GetAccountPlan, GetAccountPlanRequest, AccountPlan, kRead)                                  \
  /* Retried only with an etag (kIfMatch above); without one a repeat could overwrite a */      \
  /* change made in between, and would add the actions sent without an id a second time. */     \
  X(UpdateAccountPlan, UpdateAccountPlanRequest, AccountPlan, kIfMatch)                         \
  X(ListAccountPlans, ListAccountPlansRequest, ListAccountPlansResponse, kRead)                 \
                                                                                                \
  X(GetChurnRisk, GetChurnRiskRequest, ChurnRisk, kRead)                                        \
  X(ListAccountsAtRisk, ListAccountsAtRiskRequest, ListAccountsAtRiskResponse, kRead)           \
  X(GetLifetimeValue, GetLifetimeValueRequest, LifetimeValue, kRead)                            \
  X(GetTierSummary, GetTierSummaryRequest, TierSummary, kRead)

// The lists that page by page_token / next_page_token, as X(Element, Plural, field): the
// client offers ListAll<Plural>(List<Plural>Request) over List<Plural>, yielding every Element
// of the response's repeated `field`. (ListTierPolicies answers in one piece.)
#define CRM_KEYACCOUNT_PAGED_LISTS(X)                        \
  X(ScoringModel, ScoringModels, models)                     \
  X(AccountClassification, Classifications, classifications) \
  X(TierChange, TierChanges, changes)                        \
  X(AccountRef, AccountsWithoutManager, accounts)            \
  X(OverdueContact, OverdueContacts, contacts)               \
  X(AccountPlan, AccountPlans, plans)                        \
  X(ChurnRisk, AccountsAtRisk, risks)

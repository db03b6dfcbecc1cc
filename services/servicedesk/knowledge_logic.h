// The rules of the solutions knowledge base: CRUD, full-text search, links to tickets.
#pragma once

#include "common/server/runtime.h"

namespace crm::servicedesk {

class KnowledgeLogic {
 public:
  explicit KnowledgeLogic(const server::Runtime& runtime) : rt_(runtime) {}

 private:
  const server::Runtime& rt_;
};

}  // namespace crm::servicedesk

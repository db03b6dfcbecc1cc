// Assertions on gRPC and absl statuses: the exact code, and the field violations named.
#pragma once

#include <grpcpp/grpcpp.h>

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "absl/status/status.h"

namespace crm::testing {

// The fields named in a status's BadRequest details.
std::vector<std::string> ViolatedFields(const grpc::Status& status);
std::vector<std::string> ViolatedFields(const absl::Status& status);

// Checks code and (when `field` is non-empty) that `field` is among the violations.
::testing::AssertionResult HasCodeAndField(const grpc::Status& status, grpc::StatusCode code,
                                           const std::string& field = "");
::testing::AssertionResult HasCodeAndField(const absl::Status& status, absl::StatusCode code,
                                           const std::string& field = "");

}  // namespace crm::testing

#define EXPECT_GRPC_OK(expr)                                                          \
  do {                                                                                \
    const ::grpc::Status _s = (expr);                                                 \
    EXPECT_TRUE(_s.ok()) << _s.error_code() << ": " << _s.error_message();            \
  } while (0)
#define ASSERT_GRPC_OK(expr)                                                          \
  do {                                                                                \
    const ::grpc::Status _s = (expr);                                                 \
    ASSERT_TRUE(_s.ok()) << _s.error_code() << ": " << _s.error_message();            \
  } while (0)

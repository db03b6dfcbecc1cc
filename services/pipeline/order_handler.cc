#include "services/pipeline/pipeline_handler.h"

namespace crm::pipeline {

// Not implemented yet: each answers UNIMPLEMENTED until its logic lands.

grpc::ServerUnaryReactor* PipelineHandler::CreateOrder(Context* context, const crm::v1::CreateOrderRequest*, crm::v1::Order*) {
  auto* reactor = context->DefaultReactor();
  reactor->Finish(grpc::Status(grpc::StatusCode::UNIMPLEMENTED, "CreateOrder is not implemented yet"));
  return reactor;
}

grpc::ServerUnaryReactor* PipelineHandler::GetOrder(Context* context, const crm::v1::GetOrderRequest*, crm::v1::Order*) {
  auto* reactor = context->DefaultReactor();
  reactor->Finish(grpc::Status(grpc::StatusCode::UNIMPLEMENTED, "GetOrder is not implemented yet"));
  return reactor;
}

grpc::ServerUnaryReactor* PipelineHandler::ListOrders(Context* context, const crm::v1::ListOrdersRequest*, crm::v1::ListOrdersResponse*) {
  auto* reactor = context->DefaultReactor();
  reactor->Finish(grpc::Status(grpc::StatusCode::UNIMPLEMENTED, "ListOrders is not implemented yet"));
  return reactor;
}

grpc::ServerUnaryReactor* PipelineHandler::CancelOrder(Context* context, const crm::v1::CancelOrderRequest*, crm::v1::Order*) {
  auto* reactor = context->DefaultReactor();
  reactor->Finish(grpc::Status(grpc::StatusCode::UNIMPLEMENTED, "CancelOrder is not implemented yet"));
  return reactor;
}

grpc::ServerUnaryReactor* PipelineHandler::RecordPayment(Context* context, const crm::v1::RecordPaymentRequest*, crm::v1::Payment*) {
  auto* reactor = context->DefaultReactor();
  reactor->Finish(grpc::Status(grpc::StatusCode::UNIMPLEMENTED, "RecordPayment is not implemented yet"));
  return reactor;
}

grpc::ServerUnaryReactor* PipelineHandler::ListPayments(Context* context, const crm::v1::ListPaymentsRequest*, crm::v1::ListPaymentsResponse*) {
  auto* reactor = context->DefaultReactor();
  reactor->Finish(grpc::Status(grpc::StatusCode::UNIMPLEMENTED, "ListPayments is not implemented yet"));
  return reactor;
}

grpc::ServerUnaryReactor* PipelineHandler::GetReceivables(Context* context, const crm::v1::GetReceivablesRequest*, crm::v1::Receivables*) {
  auto* reactor = context->DefaultReactor();
  reactor->Finish(grpc::Status(grpc::StatusCode::UNIMPLEMENTED, "GetReceivables is not implemented yet"));
  return reactor;
}

}  // namespace crm::pipeline

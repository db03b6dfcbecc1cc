// The gRPC edge of orders, payments and receivables: each call runs its OrderLogic method on the
// worker pool.
#include "common/server/unary.h"
#include "services/pipeline/pipeline_handler.h"

namespace crm::pipeline {

using server::CallContext;
using server::ServeRead;
using server::ServeUnary;

grpc::ServerUnaryReactor* PipelineHandler::CreateOrder(Context* context, const crm::v1::CreateOrderRequest* request,
                                                       crm::v1::Order* response) {
  return ServeUnary(context, *rt_.workers, response,
                    [this, request](const CallContext& call) { return orders_.Create(call, *request); });
}

grpc::ServerUnaryReactor* PipelineHandler::GetOrder(Context* context, const crm::v1::GetOrderRequest* request,
                                                    crm::v1::Order* response) {
  return ServeRead(context, *rt_.workers, response,
                    [this, request](const CallContext& call) { return orders_.Get(call, *request); });
}

grpc::ServerUnaryReactor* PipelineHandler::ListOrders(Context* context, const crm::v1::ListOrdersRequest* request,
                                                      crm::v1::ListOrdersResponse* response) {
  return ServeUnary(context, *rt_.workers, response,
                    [this, request](const CallContext& call) { return orders_.List(call, *request); });
}

grpc::ServerUnaryReactor* PipelineHandler::CancelOrder(Context* context, const crm::v1::CancelOrderRequest* request,
                                                       crm::v1::Order* response) {
  return ServeUnary(context, *rt_.workers, response,
                    [this, request](const CallContext& call) { return orders_.Cancel(call, *request); });
}

grpc::ServerUnaryReactor* PipelineHandler::RecordPayment(Context* context, const crm::v1::RecordPaymentRequest* request,
                                                         crm::v1::Payment* response) {
  return ServeUnary(context, *rt_.workers, response,
                    [this, request](const CallContext& call) { return orders_.RecordPayment(call, *request); });
}

grpc::ServerUnaryReactor* PipelineHandler::ListPayments(Context* context, const crm::v1::ListPaymentsRequest* request,
                                                        crm::v1::ListPaymentsResponse* response) {
  return ServeUnary(context, *rt_.workers, response,
                    [this, request](const CallContext& call) { return orders_.ListPayments(call, *request); });
}

grpc::ServerUnaryReactor* PipelineHandler::GetReceivables(Context* context,
                                                          const crm::v1::GetReceivablesRequest* request,
                                                          crm::v1::Receivables* response) {
  return ServeUnary(context, *rt_.workers, response,
                    [this, request](const CallContext& call) { return orders_.GetReceivables(call, *request); });
}

}  // namespace crm::pipeline

// Adapters from gRPC's synchronous API to the stub layer's types: unary results as
// absl::StatusOr, streams as StreamingReadRpc / StreamingWriteRpc. Used by the default stubs only.
#pragma once

#include <grpcpp/client_context.h>
#include <grpcpp/support/sync_stream.h>

#include <memory>
#include <utility>

#include "clients/gateway/streaming.h"
#include "common/server/grpc_status.h"

namespace crm::client::internal {

// The one place a unary call's grpc::Status becomes absl (field violations included).
template <typename Response>
absl::StatusOr<Response> UnaryResult(const grpc::Status& status, Response&& response) {
  if (!status.ok()) return crm::server::FromGrpcStatus(status);
  return std::move(response);
}

template <typename Response>
class GrpcStreamingReadRpc final : public StreamingReadRpc<Response> {
 public:
  GrpcStreamingReadRpc(std::unique_ptr<grpc::ClientContext> context,
                       std::unique_ptr<grpc::ClientReaderInterface<Response>> reader)
      : context_(std::move(context)), reader_(std::move(reader)) {}

  // gRPC requires Finish before the reader goes away; a caller that stops early gets the call
  // cancelled rather than left running on the server.
  ~GrpcStreamingReadRpc() override {
    if (finished_) return;
    context_->TryCancel();
    Finish().IgnoreError();
  }

  bool Read(Response* response) override { return reader_->Read(response); }

  absl::Status Finish() override {
    if (finished_) return final_status_;
    // Finish must not be called with messages still unread; drain what a cancelled call left.
    Response discard;
    while (reader_->Read(&discard)) {
    }
    finished_ = true;
    final_status_ = crm::server::FromGrpcStatus(reader_->Finish());
    return final_status_;
  }

  void Cancel() override { context_->TryCancel(); }

 private:
  std::unique_ptr<grpc::ClientContext> context_;
  std::unique_ptr<grpc::ClientReaderInterface<Response>> reader_;
  bool finished_ = false;
  absl::Status final_status_;
};

template <typename Request, typename Response>
class GrpcStreamingWriteRpc final : public StreamingWriteRpc<Request, Response> {
 public:
  // `response` is where the generated stub was told to put the server's reply.
  GrpcStreamingWriteRpc(std::unique_ptr<grpc::ClientContext> context,
                        std::unique_ptr<Response> response,
                        std::unique_ptr<grpc::ClientWriterInterface<Request>> writer)
      : context_(std::move(context)), response_(std::move(response)), writer_(std::move(writer)) {}

  ~GrpcStreamingWriteRpc() override {
    if (finished_) return;
    context_->TryCancel();
    writer_->Finish();
  }

  bool Write(const Request& request) override { return writer_->Write(request); }

  // Call once.
  absl::StatusOr<Response> Close() override {
    writer_->WritesDone();
    finished_ = true;
    grpc::Status status = writer_->Finish();
    if (!status.ok()) return crm::server::FromGrpcStatus(status);
    return std::move(*response_);
  }

  void Cancel() override { context_->TryCancel(); }

 private:
  std::unique_ptr<grpc::ClientContext> context_;
  std::unique_ptr<Response> response_;
  std::unique_ptr<grpc::ClientWriterInterface<Request>> writer_;
  bool finished_ = false;
};

}  // namespace crm::client::internal

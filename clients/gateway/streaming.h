// The stub layer's view of a streaming call: small interfaces instead of grpc::ClientReader /
// ClientWriter, so that decorators, fakes and mocks own neither a channel nor a ClientContext.
// Each stream owns its ClientContext, hence can be cancelled while another thread reads it.
#pragma once

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace crm::client {

// A server-streaming call.
template <typename Response>
class StreamingReadRpc {
 public:
  virtual ~StreamingReadRpc() = default;
  // Blocks for the next message; false once the stream has ended (then call Finish).
  virtual bool Read(Response* response) = 0;
  // The call's final status. Call after Read returned false, or after Cancel.
  virtual absl::Status Finish() = 0;
  // Asks the call to end; a blocked Read returns false soon after. Safe from any thread while
  // the stream object is alive.
  virtual void Cancel() = 0;
};

// A client-streaming call.
template <typename Request, typename Response>
class StreamingWriteRpc {
 public:
  virtual ~StreamingWriteRpc() = default;
  // False when the stream is broken (the server ended the call); Close then says why.
  virtual bool Write(const Request& request) = 0;
  // Half-closes the stream and waits for the server's single response.
  virtual absl::StatusOr<Response> Close() = 0;
  // Safe from any thread while the stream object is alive.
  virtual void Cancel() = 0;
};

}  // namespace crm::client

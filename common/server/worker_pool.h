// The application-owned threads on which handlers do their blocking work (SOCI calls, pool
// leases), so gRPC's callback threads never block. Sized with the database pool.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace crm::server {

class WorkerPool {
 public:
  explicit WorkerPool(int threads);
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  void Submit(std::function<void()> task);
  // Finishes queued tasks, then joins the threads.
  void Stop();
  size_t queued() const;
  int size() const { return static_cast<int>(threads_.size()); }
  // Whether reads by key run on the caller's thread instead (see ServeRead): set once, before
  // serving, for a database whose reads never wait on a network.
  void set_inline_reads(bool inline_reads) { inline_reads_ = inline_reads; }
  bool inline_reads() const { return inline_reads_; }

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> tasks_;
  bool stopping_ = false;
  bool inline_reads_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace crm::server

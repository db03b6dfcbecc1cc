// StreamRange<T>: an input range of absl::StatusOr<T> over something read piece by piece (the
// pages of a List call), and MakePaginationRange, the one page-following loop every List uses.
//
//   for (const absl::StatusOr<v1::Account>& account : client.ListAllAccounts(request)) {
//     if (!account.ok()) return account.status();  // the last element when a page fails
//     Use(*account);
//   }
#pragma once

#include <cstddef>
#include <deque>
#include <functional>
#include <iterator>
#include <memory>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace crm::client {

template <typename T>
class StreamRange {
 public:
  // Returns the next element, OkStatus() at the end, or an error (which ends the range after
  // being yielded as its last element).
  using Reader = std::function<std::variant<absl::Status, T>()>;

  class iterator {
   public:
    using iterator_category = std::input_iterator_tag;
    using value_type = absl::StatusOr<T>;
    using difference_type = std::ptrdiff_t;
    using pointer = const value_type*;
    using reference = const value_type&;

    reference operator*() const { return range_->current_; }
    pointer operator->() const { return &range_->current_; }
    iterator& operator++() {
      range_->Advance();
      if (range_->done_) range_ = nullptr;
      return *this;
    }
    friend bool operator==(const iterator& a, const iterator& b) { return a.range_ == b.range_; }
    friend bool operator!=(const iterator& a, const iterator& b) { return !(a == b); }

   private:
    friend class StreamRange;
    explicit iterator(StreamRange* range) : range_(range) {}
    StreamRange* range_;
  };

  explicit StreamRange(Reader reader) : reader_(std::move(reader)) {}
  // Iteration state lives in the range, so it moves but does not copy.
  StreamRange(StreamRange&&) noexcept = default;
  StreamRange& operator=(StreamRange&&) noexcept = default;
  StreamRange(const StreamRange&) = delete;
  StreamRange& operator=(const StreamRange&) = delete;

  // Nothing is read before begin(): building a range makes no call.
  iterator begin() {
    if (!started_) {
      started_ = true;
      Advance();
    }
    return iterator(done_ ? nullptr : this);
  }
  iterator end() { return iterator(nullptr); }

 private:
  void Advance() {
    if (done_) return;
    if (!current_.ok()) {  // an error is always the last element
      done_ = true;
      return;
    }
    std::variant<absl::Status, T> next = reader_();
    if (auto* element = std::get_if<T>(&next)) {
      current_ = std::move(*element);
      return;
    }
    absl::Status status = std::get<absl::Status>(std::move(next));
    if (status.ok()) {
      done_ = true;
    } else {
      current_ = std::move(status);
    }
  }

  Reader reader_;
  absl::StatusOr<T> current_ = T();
  bool started_ = false;
  bool done_ = false;
};

// Follows a List call page by page.
//  - load(request): fetches one page;
//  - take(response): moves the page's elements out;
//  - advance(request, response): points `request` at the next page; false when there is none.
template <typename T, typename Request, typename Response>
StreamRange<T> MakePaginationRange(Request request,
                                   std::function<absl::StatusOr<Response>(const Request&)> load,
                                   std::function<std::vector<T>(Response&)> take,
                                   std::function<bool(Request&, const Response&)> advance) {
  struct State {
    Request request;
    std::deque<T> buffer;
    bool last_page = false;
  };
  auto state = std::make_shared<State>();
  state->request = std::move(request);
  return StreamRange<T>([state, load = std::move(load), take = std::move(take),
                         advance = std::move(advance)]() -> std::variant<absl::Status, T> {
    // Loop, since a page may be empty yet not the last one.
    while (state->buffer.empty() && !state->last_page) {
      absl::StatusOr<Response> page = load(state->request);
      if (!page.ok()) return page.status();
      // advance() looks at the page before take() empties it.
      state->last_page = !advance(state->request, *page);
      for (T& element : take(*page)) state->buffer.push_back(std::move(element));
    }
    if (state->buffer.empty()) return absl::OkStatus();
    T element = std::move(state->buffer.front());
    state->buffer.pop_front();
    return element;
  });
}

// The `advance` of every List that pages by an opaque next_page_token (empty on the last page).
template <typename Request, typename Response>
bool NextPageToken(Request& request, const Response& response) {
  if (response.next_page_token().empty()) return false;
  request.set_page_token(response.next_page_token());
  return true;
}

// Moves the elements out of a repeated field.
template <typename RepeatedField>
auto TakeAll(RepeatedField& field) {
  using T = typename std::remove_reference_t<RepeatedField>::value_type;
  std::vector<T> result(std::make_move_iterator(field.begin()),
                        std::make_move_iterator(field.end()));
  field.Clear();
  return result;
}

}  // namespace crm::client

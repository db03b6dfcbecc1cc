// What every crmctl command gets to work with (CommandContext), how commands are declared
// (Command), and the shared ways of printing results, so that the per-noun files hold only what
// differs between nouns.
#pragma once

#include <google/protobuf/message.h>
#include <google/protobuf/repeated_field.h>

#include <functional>
#include <iosfwd>
#include <map>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/optional.h"
#include "clients/crmctl/output.h"
#include "clients/gateway/gateway_client.h"
#include "clients/gateway/stream_range.h"

namespace crm::crmctl {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;

class CommandContext;

struct Command {
  std::string noun;
  // Empty for a noun that is a command by itself (`crmctl whoami`).
  std::string verb;
  // What follows `crmctl <noun> <verb>` in the usage text.
  std::string synopsis;
  std::string summary;
  std::function<int(CommandContext&)> run;
};

// Where key=value arguments land: the first target with a field of that name (or of that name
// plus "_id", so `account=` sets account_id). When `applied` is set, the paths set on this target
// are recorded there (an update's field mask).
struct ArgumentTarget {
  google::protobuf::Message* message;
  std::vector<std::string>* applied = nullptr;
};

class CommandContext {
 public:
  CommandContext(const Command& command, client::GatewayClient gateway, OutputFormat format,
                 std::vector<std::string> positional,
                 std::vector<std::pair<std::string, std::string>> arguments, std::ostream& out,
                 std::ostream& err);

  client::AccountsClient accounts() const { return gateway_.accounts(); }
  client::EventsClient events() const { return gateway_.events(); }
  client::PipelineClient pipeline() const { return gateway_.pipeline(); }
  client::ServiceDeskClient servicedesk() const { return gateway_.servicedesk(); }
  client::KeyAccountClient keyaccount() const { return gateway_.keyaccount(); }
  client::AdminClient admin() const { return gateway_.admin(); }
  client::CustomFieldClient customfields() const { return gateway_.customfields(); }
  client::DuplicateClient duplicates() const { return gateway_.duplicates(); }
  OutputFormat format() const { return format_; }
  std::ostream& out() { return out_; }
  std::ostream& err() { return err_; }

  // The positional arguments, checked to be exactly as many as `names` ("<id>", "<file.csv>").
  absl::StatusOr<std::vector<std::string>> Positional(const std::vector<std::string>& names) const;
  // Removes argument `key` and returns its (last) value, if given.
  absl::optional<std::string> TakeArgument(const std::string& key);
  // Removes argument `key` and returns every value given, in order (`--custom=a=1 --custom=b=2`).
  std::vector<std::string> TakeArguments(const std::string& key);
  // A yes/no switch such as `--all`.
  absl::StatusOr<bool> TakeSwitch(const std::string& key);
  // Sets every remaining argument on the targets (see ArgumentTarget); `aliases` renames keys
  // first (e.g. "after" -> "after_sequence"). A key no target knows is a usage error.
  absl::Status ApplyArguments(const std::vector<ArgumentTarget>& targets,
                              const std::map<std::string, std::string>& aliases = {});
  // A list command's arguments: no positional ones, `--all`, the rest as ApplyArguments.
  // Returns whether --all was given.
  absl::StatusOr<bool> ReadListArguments(const std::vector<ArgumentTarget>& targets,
                                         const std::map<std::string, std::string>& aliases = {});

  // Exit codes with their message printed: 1 with `error: CODE: message`, field violations and
  // the candidates of a create refused as a duplicate (with how to create it anyway), 2 with the
  // problem and this command's usage line.
  int Fail(const absl::Status& status);
  int Usage(const absl::Status& status);

  // One entity, or the error.
  template <typename T>
  int PrintResult(const absl::StatusOr<T>& result) {
    if (!result.ok()) return Fail(result.status());
    PrintMessage(*result);
    return kExitOk;
  }
  // The message as a record or JSON. A create's answer listing possible_duplicates also warns
  // of them on stderr, where a record leaves them (stdout stays the record; JSON keeps all).
  void PrintMessage(const google::protobuf::Message& message);

  // A report with rows (a funnel's stages, a pipeline's stages): its other fields as a record,
  // then the repeated message field `rows_field` as a table; or the whole message as JSON.
  template <typename T>
  int PrintWithRows(const absl::StatusOr<T>& result, const std::string& rows_field,
                    std::vector<Column> columns) {
    if (!result.ok()) return Fail(result.status());
    PrintMessageWithRows(*result, rows_field, std::move(columns));
    return kExitOk;
  }
  void PrintMessageWithRows(const google::protobuf::Message& message,
                            const std::string& rows_field, std::vector<Column> columns);

  // One page of a List call: a table (and the next page_token on stderr), or the response as
  // JSON.
  template <typename Response, typename Item>
  int PrintPage(const absl::StatusOr<Response>& page,
                const google::protobuf::RepeatedPtrField<Item>& (Response::*items)() const,
                std::vector<Column> columns) {
    if (!page.ok()) return Fail(page.status());
    if (format_ == OutputFormat::kJson) {
      out_ << ToJsonLine(*page) << '\n';
      return kExitOk;
    }
    Table table(std::move(columns));
    for (const Item& item : ((*page).*items)()) table.Add(item);
    table.Print(out_);
    PrintNextPageHint(*page);
    return kExitOk;
  }

  // Every element of a range: a table once all have arrived, or JSON lines as they arrive.
  template <typename T>
  int PrintAll(client::StreamRange<T> range, std::vector<Column> columns) {
    Table table(std::move(columns));
    absl::Status status;
    for (const absl::StatusOr<T>& item : range) {
      if (!item.ok()) {
        status = item.status();
        break;
      }
      if (format_ == OutputFormat::kJson) {
        out_ << ToJsonLine(*item) << '\n';
        if (!out_) break;  // the reader has gone (| head): stop fetching pages
      } else {
        table.Add(*item);
      }
    }
    if (format_ == OutputFormat::kTable) table.Print(out_);
    return status.ok() ? kExitOk : Fail(status);
  }

 private:
  void PrintNextPageHint(const google::protobuf::Message& page);

  const Command& command_;
  client::GatewayClient gateway_;
  OutputFormat format_;
  std::vector<std::string> positional_;
  std::vector<std::pair<std::string, std::string>> arguments_;
  std::ostream& out_;
  std::ostream& err_;
};

// The shapes most commands share. `call(request)` makes the RPC; `entity(request)` returns the
// entity message inside a create or update request (e.g. mutable_account()).

// `<verb> <id> [key=value ...]` for requests with an `id` field (get, delete, complete, ...).
template <typename Request, typename Call>
int RunWithId(CommandContext& context, Call call) {
  absl::StatusOr<std::vector<std::string>> id = context.Positional({"<id>"});
  if (!id.ok()) return context.Usage(id.status());
  Request request;
  request.set_id(id->front());
  if (absl::Status s = context.ApplyArguments({{&request}}); !s.ok()) return context.Usage(s);
  return context.PrintResult(call(request));
}

// A list command's output: one page, or with `all` every page. `page` and `every` are the
// client's List and ListAll methods, `items` the response's repeated field.
template <typename Client, typename Request, typename Response, typename Item>
int PrintList(CommandContext& context, bool all, Client api, const Request& request,
              absl::StatusOr<Response> (Client::*page)(const Request&),
              client::StreamRange<Item> (Client::*every)(Request),
              const google::protobuf::RepeatedPtrField<Item>& (Response::*items)() const,
              std::vector<Column> columns) {
  if (all) return context.PrintAll((api.*every)(request), std::move(columns));
  return context.PrintPage((api.*page)(request), items, std::move(columns));
}

// What a create or update does between setting its key=value arguments and sending the request
// (custom fields, compact lists): sets more of `request`, adding the paths it sets to `changed`
// (null on a create); returns kExitOk, or the command's exit code when it cannot.
template <typename Request>
using FinishRequest = std::function<int(Request& request, std::vector<std::string>* changed)>;

// Sends `request` with `call` and prints the answer (PrintResult). A `call` that prints the
// answer itself, with more than the record, returns the exit code instead.
template <typename Request, typename Call>
int CallAndPrint(CommandContext& context, Request& request, Call& call) {
  if constexpr (std::is_same_v<std::invoke_result_t<Call&, Request&>, int>) {
    return call(request);
  } else {
    return context.PrintResult(call(request));
  }
}

// `create key=value ...`: each argument sets a field of the request (request_id,
// --confirm-duplicate) or else of the entity; then `finish`, if given.
template <typename Request, typename Entity, typename Call>
int RunCreate(CommandContext& context, Entity entity, Call call,
              const std::map<std::string, std::string>& aliases = {},
              const FinishRequest<Request>& finish = nullptr) {
  if (absl::Status s = context.Positional({}).status(); !s.ok()) return context.Usage(s);
  Request request;
  if (absl::Status s = context.ApplyArguments({{&request}, {entity(request)}}, aliases); !s.ok()) {
    return context.Usage(s);
  }
  if (finish != nullptr) {
    if (const int code = finish(request, nullptr); code != kExitOk) return code;
  }
  return CallAndPrint(context, request, call);
}

// `update <id> key=value ... [etag=...]`: the named fields become the update mask (unless
// update_mask= is given), so `industry=` clears a field; `aliases` rename keys as on a create;
// `finish`, if given, runs before the mask is made.
template <typename Request, typename Entity, typename Call>
int RunUpdate(CommandContext& context, Entity entity, Call call,
              const std::map<std::string, std::string>& aliases = {},
              const FinishRequest<Request>& finish = nullptr) {
  absl::StatusOr<std::vector<std::string>> id = context.Positional({"<id>"});
  if (!id.ok()) return context.Usage(id.status());
  Request request;
  entity(request)->set_id(id->front());
  std::vector<std::string> changed;
  if (absl::Status s = context.ApplyArguments({{&request}, {entity(request), &changed}}, aliases);
      !s.ok()) {
    return context.Usage(s);
  }
  if (finish != nullptr) {
    if (const int code = finish(request, &changed); code != kExitOk) return code;
  }
  if (!request.has_update_mask()) {
    for (const std::string& path : changed) request.mutable_update_mask()->add_paths(path);
  }
  return CallAndPrint(context, request, call);
}

}  // namespace crm::crmctl

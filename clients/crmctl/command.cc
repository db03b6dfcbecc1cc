#include "clients/crmctl/command.h"

#include <memory>
#include <ostream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "clients/crmctl/columns.h"
#include "clients/crmctl/field_text.h"
#include "clients/gateway/duplicate_client.h"
#include "crm/v1/duplicate.pb.h"

namespace crm::crmctl {
namespace {

// The accepted keys, for a usage message that helps rather than just refuses.
std::string KnownKeys(const std::vector<ArgumentTarget>& targets) {
  std::vector<std::string> keys;
  for (const ArgumentTarget& target : targets) {
    const google::protobuf::Descriptor& type = *target.message->GetDescriptor();
    for (int i = 0; i < type.field_count(); ++i) {
      if (HasTextField(type, type.field(i)->name())) keys.push_back(type.field(i)->name());
    }
  }
  return absl::StrJoin(keys, ", ");
}

// The possible_duplicates of a create's or a conversion's answer; null when it has none.
const google::protobuf::RepeatedPtrField<v1::DuplicateCandidate>* PossibleDuplicatesOf(
    const google::protobuf::Message& message) {
  const google::protobuf::FieldDescriptor* field =
      message.GetDescriptor()->FindFieldByName("possible_duplicates");
  if (field == nullptr || !field->is_repeated() ||
      field->message_type() != v1::DuplicateCandidate::descriptor() ||
      message.GetReflection()->FieldSize(message, field) == 0) {
    return nullptr;
  }
  return &message.GetReflection()->GetRepeatedPtrField<v1::DuplicateCandidate>(message, field);
}

template <typename Candidates>
void PrintCandidates(std::ostream& out, const Candidates& candidates) {
  Table table(DuplicateCandidateColumns());
  for (const v1::DuplicateCandidate& candidate : candidates) table.Add(candidate);
  table.Print(out);
}

}  // namespace

CommandContext::CommandContext(const Command& command, client::GatewayClient gateway,
                               OutputFormat format, std::vector<std::string> positional,
                               std::vector<std::pair<std::string, std::string>> arguments,
                               std::ostream& out, std::ostream& err)
    : command_(command),
      gateway_(std::move(gateway)),
      format_(format),
      positional_(std::move(positional)),
      arguments_(std::move(arguments)),
      out_(out),
      err_(err) {}

absl::StatusOr<std::vector<std::string>> CommandContext::Positional(
    const std::vector<std::string>& names) const {
  if (positional_.size() < names.size()) {
    return absl::InvalidArgumentError(absl::StrCat("missing ", names[positional_.size()]));
  }
  if (positional_.size() > names.size()) {
    return absl::InvalidArgumentError(
        absl::StrCat("unexpected argument '", positional_[names.size()], "'"));
  }
  return positional_;
}

absl::optional<std::string> CommandContext::TakeArgument(const std::string& key) {
  std::vector<std::string> values = TakeArguments(key);
  if (values.empty()) return absl::nullopt;
  return std::move(values.back());
}

std::vector<std::string> CommandContext::TakeArguments(const std::string& key) {
  std::vector<std::string> values;
  for (auto it = arguments_.begin(); it != arguments_.end();) {
    if (it->first == key) {
      values.push_back(std::move(it->second));
      it = arguments_.erase(it);
    } else {
      ++it;
    }
  }
  return values;
}

absl::StatusOr<bool> CommandContext::TakeSwitch(const std::string& key) {
  absl::optional<std::string> value = TakeArgument(key);
  if (!value.has_value() || *value == "true" || *value == "yes" || *value == "1") {
    return value.has_value();
  }
  if (*value == "false" || *value == "no" || *value == "0") return false;
  return absl::InvalidArgumentError(absl::StrCat(key, ": '", *value, "' is not true or false"));
}

absl::Status CommandContext::ApplyArguments(const std::vector<ArgumentTarget>& targets,
                                            const std::map<std::string, std::string>& aliases) {
  // Timestamps relative to now (+2h) mean the same instant for every argument of one command.
  const absl::Time now = absl::Now();
  for (const auto& [given_key, value] : arguments_) {
    auto alias = aliases.find(given_key);
    const std::string key = alias == aliases.end() ? given_key : alias->second;
    const ArgumentTarget* chosen = nullptr;
    std::string path;
    for (const ArgumentTarget& target : targets) {
      const google::protobuf::Descriptor& type = *target.message->GetDescriptor();
      for (const std::string& candidate : {key, key + "_id"}) {
        if (HasTextField(type, candidate)) {
          chosen = &target;
          path = candidate;
          break;
        }
      }
      if (chosen != nullptr) break;
    }
    if (chosen == nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat("unknown argument '", given_key, "' (accepted: ", KnownKeys(targets), ")"));
    }
    if (absl::Status status = SetFieldFromText(*chosen->message, path, value, now); !status.ok()) {
      return status;
    }
    if (chosen->applied != nullptr) chosen->applied->push_back(path);
  }
  arguments_.clear();
  return absl::OkStatus();
}

absl::StatusOr<bool> CommandContext::ReadListArguments(
    const std::vector<ArgumentTarget>& targets, const std::map<std::string, std::string>& aliases) {
  if (absl::Status s = Positional({}).status(); !s.ok()) return s;
  absl::StatusOr<bool> all = TakeSwitch("all");
  if (!all.ok()) return all.status();
  if (absl::Status s = ApplyArguments(targets, aliases); !s.ok()) return s;
  return *all;
}

int CommandContext::Fail(const absl::Status& status) {
  PrintError(err_, status);
  const std::vector<v1::DuplicateCandidate> candidates = client::DuplicateCandidatesOf(status);
  if (!candidates.empty()) {
    err_ << "it matches existing records:\n";
    PrintCandidates(err_, candidates);
    err_ << "hint: pass --confirm-duplicate to create it anyway";
    if (command_.noun == "leads" && command_.verb == "convert") {
      err_ << ", or existing_account=<id> / existing_contact=<id> to use an existing record";
    }
    err_ << '\n';
  }
  return kExitFailure;
}

int CommandContext::Usage(const absl::Status& status) {
  err_ << "error: " << status.message() << '\n'
       << "usage: crmctl " << command_.noun << (command_.verb.empty() ? "" : " ") << command_.verb
       << (command_.synopsis.empty() ? "" : " ") << command_.synopsis << '\n';
  return kExitUsage;
}

void CommandContext::PrintMessage(const google::protobuf::Message& message) {
  const google::protobuf::RepeatedPtrField<v1::DuplicateCandidate>* duplicates =
      PossibleDuplicatesOf(message);
  if (format_ == OutputFormat::kJson) {
    out_ << ToJsonLine(message) << '\n';
  } else if (duplicates == nullptr) {
    PrintRecord(out_, message);
  } else {
    std::unique_ptr<google::protobuf::Message> record(message.New());
    record->CopyFrom(message);
    record->GetReflection()->ClearField(
        record.get(), message.GetDescriptor()->FindFieldByName("possible_duplicates"));
    PrintRecord(out_, *record);
  }
  if (duplicates != nullptr) {
    err_ << "warning: possible duplicates of existing records:\n";
    PrintCandidates(err_, *duplicates);
  }
}

void CommandContext::PrintMessageWithRows(const google::protobuf::Message& message,
                                          const std::string& rows_field,
                                          std::vector<Column> columns) {
  const google::protobuf::FieldDescriptor* rows =
      message.GetDescriptor()->FindFieldByName(rows_field);
  if (format_ == OutputFormat::kJson || rows == nullptr || !rows->is_repeated() ||
      rows->cpp_type() != google::protobuf::FieldDescriptor::CPPTYPE_MESSAGE) {
    PrintMessage(message);
    return;
  }
  std::unique_ptr<google::protobuf::Message> summary(message.New());
  summary->CopyFrom(message);
  summary->GetReflection()->ClearField(summary.get(), rows);
  PrintRecord(out_, *summary);
  Table table(std::move(columns));
  const google::protobuf::Reflection& reflection = *message.GetReflection();
  for (int i = 0; i < reflection.FieldSize(message, rows); ++i) {
    table.Add(reflection.GetRepeatedMessage(message, rows, i));
  }
  out_ << '\n';
  table.Print(out_);
}

void CommandContext::PrintNextPageHint(const google::protobuf::Message& page) {
  const google::protobuf::FieldDescriptor* token =
      page.GetDescriptor()->FindFieldByName("next_page_token");
  if (token == nullptr) return;
  const std::string value = page.GetReflection()->GetString(page, token);
  if (!value.empty()) err_ << "more: add page_token=" << value << " (or --all)\n";
}

}  // namespace crm::crmctl

#include "clients/crmctl/command_line.h"

#include <algorithm>

#include "absl/flags/commandlineflag.h"
#include "absl/flags/reflection.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "clients/crmctl/global_flags.h"

namespace crm::crmctl {
namespace {

std::string NormalizeKey(absl::string_view key) {
  std::string normalized(key);
  std::replace(normalized.begin(), normalized.end(), '-', '_');
  return normalized;
}

absl::CommandLineFlag* FindGlobalFlag(const std::string& name) {
  const auto& names = GlobalFlagNames();
  if (std::find(names.begin(), names.end(), name) == names.end()) return nullptr;
  return absl::FindCommandLineFlag(name);
}

absl::Status SetFlag(absl::CommandLineFlag& flag, absl::string_view value) {
  std::string error;
  if (flag.ParseFrom(value, &error)) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat("--", flag.Name(), ": ", error));
}

}  // namespace

absl::StatusOr<CommandLine> ParseCommandLine(int argc, const char* const* argv) {
  CommandLine result;
  bool only_words = false;
  for (int i = 1; i < argc; ++i) {
    absl::string_view arg = argv[i];
    if (only_words) {
      result.words.emplace_back(arg);
      continue;
    }
    if (arg == "--") {
      only_words = true;
      continue;
    }
    if (arg == "-h" || arg == "--help" || arg == "-help") {
      result.help = true;
      continue;
    }
    const bool dashed = absl::ConsumePrefix(&arg, "--") || absl::ConsumePrefix(&arg, "-");
    const size_t equals = arg.find('=');
    if (!dashed && equals == absl::string_view::npos) {
      result.words.emplace_back(arg);
      continue;
    }
    const std::string key = NormalizeKey(arg.substr(0, equals));
    if (key.empty())
      return absl::InvalidArgumentError(absl::StrCat("malformed argument '", argv[i], "'"));
    const bool has_value = equals != absl::string_view::npos;
    const absl::string_view value = has_value ? arg.substr(equals + 1) : absl::string_view();

    if (dashed) {
      if (absl::CommandLineFlag* flag = FindGlobalFlag(key)) {
        if (has_value) {
          if (absl::Status s = SetFlag(*flag, value); !s.ok()) return s;
        } else if (flag->IsOfType<bool>()) {
          if (absl::Status s = SetFlag(*flag, "true"); !s.ok()) return s;
        } else if (i + 1 < argc) {
          if (absl::Status s = SetFlag(*flag, argv[++i]); !s.ok()) return s;
        } else {
          return absl::InvalidArgumentError(absl::StrCat("--", key, " needs a value"));
        }
        continue;
      }
      if (!has_value && absl::StartsWith(key, "no")) {
        absl::CommandLineFlag* flag = FindGlobalFlag(key.substr(2));
        if (flag != nullptr && flag->IsOfType<bool>()) {
          if (absl::Status s = SetFlag(*flag, "false"); !s.ok()) return s;
          continue;
        }
      }
    }
    result.arguments.emplace_back(key, has_value ? std::string(value) : "true");
  }
  return result;
}

}  // namespace crm::crmctl

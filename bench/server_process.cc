#include "bench/server_process.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <sched.h>
#include <grpcpp/grpcpp.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <deque>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "bench/bench_auth.h"
#include "grpc/health/v1/health.grpc.pb.h"

extern char** environ;

namespace crm::bench {
namespace {

using SteadyClock = std::chrono::steady_clock;

absl::Duration Since(SteadyClock::time_point start) { return absl::FromChrono(SteadyClock::now() - start); }

void SleepMs(int ms) { std::this_thread::sleep_for(std::chrono::milliseconds(ms)); }


std::string DescribeExit(int status) {
  if (WIFEXITED(status)) return absl::StrCat("exit code ", WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return absl::StrCat("killed by signal ", WTERMSIG(status));
  return absl::StrCat("wait status ", status);
}

sockaddr_in LoopbackAddress(int port) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return addr;
}

}  // namespace

namespace {

// Whether `operation` (connect or bind) of a fresh TCP socket to 127.0.0.1:port succeeds.
bool LoopbackSocketCan(int (*operation)(int, const sockaddr*, socklen_t), int port) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  const sockaddr_in addr = LoopbackAddress(port);
  const bool ok = operation(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) == 0;
  close(fd);
  return ok;
}

}  // namespace

bool TcpAccepts(int port) { return LoopbackSocketCan(&connect, port); }

bool PortFree(int port) { return LoopbackSocketCan(&bind, port); }

absl::StatusOr<ProcessUsage> ReadProcessUsage(pid_t pid) {
  ProcessUsage usage;
  std::ifstream status_file(absl::StrCat("/proc/", pid, "/status"));
  if (!status_file) return absl::NotFoundError(absl::StrCat("no /proc/", pid, "/status"));
  for (std::string line; std::getline(status_file, line);) {
    std::vector<absl::string_view> parts = absl::StrSplit(line, absl::ByAnyChar(" \t:"), absl::SkipEmpty());
    if (parts.size() < 2) continue;
    if (parts[0] == "VmRSS") (void)absl::SimpleAtoi(parts[1], &usage.rss_kib);
    if (parts[0] == "VmHWM") (void)absl::SimpleAtoi(parts[1], &usage.hwm_kib);
    if (parts[0] == "Threads") (void)absl::SimpleAtoi(parts[1], &usage.threads);
  }
  std::ifstream stat_file(absl::StrCat("/proc/", pid, "/stat"));
  std::string stat((std::istreambuf_iterator<char>(stat_file)), std::istreambuf_iterator<char>());
  // The command name (field 2) may hold spaces; fields after its closing ')' start at field 3.
  const size_t paren = stat.rfind(')');
  if (paren == std::string::npos) return absl::InternalError(absl::StrCat("unreadable /proc/", pid, "/stat"));
  std::vector<std::string> fields = absl::StrSplit(stat.substr(paren + 1), ' ', absl::SkipEmpty());
  int64_t utime = 0, stime = 0;  // fields 14 and 15, in clock ticks
  if (fields.size() < 13 || !absl::SimpleAtoi(fields[11], &utime) || !absl::SimpleAtoi(fields[12], &stime)) {
    return absl::InternalError(absl::StrCat("unreadable /proc/", pid, "/stat"));
  }
  usage.cpu_seconds = static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
  return usage;
}

double SelfCpuSeconds() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
         static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

namespace {

cpu_set_t CpuSetOf(const std::vector<int>& cpus) {
  cpu_set_t set;
  CPU_ZERO(&set);
  for (int cpu : cpus) CPU_SET(cpu, &set);
  return set;
}

}  // namespace

absl::StatusOr<std::vector<int>> ParseCpuList(absl::string_view text) {
  cpu_set_t allowed;
  CPU_ZERO(&allowed);
  if (sched_getaffinity(0, sizeof(allowed), &allowed) != 0) {
    return absl::InternalError(absl::StrCat("sched_getaffinity: ", std::strerror(errno)));
  }
  std::vector<int> cpus;
  for (absl::string_view part : absl::StrSplit(text, ',', absl::SkipWhitespace())) {
    std::vector<absl::string_view> range = absl::StrSplit(part, absl::MaxSplits('-', 1));
    int first = -1;
    int last = -1;
    if (!absl::SimpleAtoi(range[0], &first) || !absl::SimpleAtoi(range.size() == 2 ? range[1] : range[0], &last) ||
        first < 0 || last < first || last >= CPU_SETSIZE) {
      return absl::InvalidArgumentError(absl::StrCat("not a CPU or CPU range: \"", part, "\""));
    }
    for (int cpu = first; cpu <= last; ++cpu) {
      if (!CPU_ISSET(cpu, &allowed)) {
        return absl::InvalidArgumentError(absl::StrCat("CPU ", cpu, " is not one this process may run on"));
      }
      cpus.push_back(cpu);
    }
  }
  return cpus;
}

absl::Status PinThisProcess(const std::vector<int>& cpus) {
  if (cpus.empty()) return absl::OkStatus();
  const cpu_set_t set = CpuSetOf(cpus);
  // gRPC's own threads (its timers, its executor) already run by now; each thread has an affinity
  // of its own.
  std::error_code error;
  for (const auto& task : std::filesystem::directory_iterator("/proc/self/task", error)) {
    pid_t tid = 0;
    if (!absl::SimpleAtoi(task.path().filename().string(), &tid)) continue;
    if (sched_setaffinity(tid, sizeof(set), &set) != 0 && errno != ESRCH) {
      return absl::InternalError(absl::StrCat("sched_setaffinity of thread ", tid, ": ", std::strerror(errno)));
    }
  }
  if (error) return absl::InternalError(absl::StrCat("/proc/self/task: ", error.message()));
  return absl::OkStatus();
}

absl::StatusOr<int> PickFreePort() {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return absl::InternalError(absl::StrCat("socket: ", std::strerror(errno)));
  sockaddr_in addr = LoopbackAddress(0);
  socklen_t len = sizeof(addr);
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    const int err = errno;
    close(fd);
    return absl::InternalError(absl::StrCat("bind to a free port: ", std::strerror(err)));
  }
  close(fd);
  return static_cast<int>(ntohs(addr.sin_port));
}

absl::StatusOr<std::unique_ptr<ServerProcess>> ServerProcess::Start(const ServerOptions& options) {
  absl::StatusOr<std::unique_ptr<ServerProcess>> server = Spawn(options);
  if (!server.ok()) return server.status();
  if (absl::Status ready = (*server)->WaitUntilReady(); !ready.ok()) return ready;
  return server;
}

absl::StatusOr<std::unique_ptr<ServerProcess>> ServerProcess::Spawn(const ServerOptions& options) {
  absl::StatusOr<int> port = PickFreePort();
  if (!port.ok()) return port.status();

  std::unique_ptr<ServerProcess> server(new ServerProcess());
  server->port_ = *port;
  server->address_ = absl::StrCat("127.0.0.1:", *port);
  server->log_path_ = absl::StrCat(options.data_dir, "/server.log");

  const std::string db_url =
      options.db_url.empty() ? absl::StrCat("sqlite://", options.data_dir, "/crm.db") : options.db_url;
  // Everything the child needs is prepared before fork: after it, only async-signal-safe calls.
  std::vector<std::string> args = {options.binary, absl::StrCat("--listen=", server->address_)};
  if (options.has_database) {
    args.insert(args.end(), {absl::StrCat("--data_dir=", options.data_dir), absl::StrCat("--db=", db_url)});
  }
  args.insert(args.end(), options.extra_flags.begin(), options.extra_flags.end());
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  std::vector<char*> envp;
  for (char** e = environ; *e != nullptr; ++e) {
    if (!absl::StartsWith(*e, "CRM_")) envp.push_back(*e);
  }
  envp.push_back(nullptr);
  const int log_fd = open(server->log_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (log_fd < 0) {
    return absl::InternalError(absl::StrCat("cannot create ", server->log_path_, ": ", std::strerror(errno)));
  }
  const pid_t parent = getpid();
  const cpu_set_t cpus = CpuSetOf(options.cpus);

  server->options_ = options;
  server->db_url_ = db_url;
  server->spawned_ = SteadyClock::now();
  const pid_t pid = fork();
  if (pid == 0) {
    // Do not outlive the benchmark if it is killed; SIGTERM still lets the server drain.
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (getppid() != parent) _exit(126);
    if (!options.cpus.empty() && sched_setaffinity(0, sizeof(cpus), &cpus) != 0) _exit(125);
    dup2(log_fd, STDOUT_FILENO);
    dup2(log_fd, STDERR_FILENO);
    execve(argv[0], argv.data(), envp.data());
    _exit(127);
  }
  const int fork_errno = errno;
  close(log_fd);
  if (pid < 0) return absl::InternalError(absl::StrCat("fork: ", std::strerror(fork_errno)));
  server->pid_ = pid;
  server->running_ = true;
  return server;
}

absl::Status ServerProcess::WaitUntilReady() {
  if (absl::Status serving = WaitUntilServing(options_, absl::Now()); !serving.ok()) {
    return absl::Status(serving.code(),
                        absl::StrCat(serving.message(), "\n--- server log (", log_path_, ") ---\n", LogTail()));
  }
  start_to_serving_ = Since(spawned_);
  if (!options_.has_database || !options_.fetch_token) return absl::OkStatus();
  absl::StatusOr<std::string> token = ServerToken(options_.data_dir, db_url_);
  if (!token.ok()) {
    return absl::Status(token.status().code(), absl::StrCat("access token for the server: ", token.status().message()));
  }
  token_ = *std::move(token);
  return absl::OkStatus();
}

absl::Status ServerProcess::WaitUntilServing(const ServerOptions& options, absl::Time spawned) {
  const absl::Time deadline = spawned + options.start_timeout;
  int status = 0;
  auto check_alive = [&]() -> absl::Status {
    if (Reaped(&status)) {
      return absl::UnavailableError(absl::StrCat(options.binary, " ended before serving (", DescribeExit(status), ")"));
    }
    if (absl::Now() > deadline) {
      return absl::DeadlineExceededError(absl::StrCat(options.binary, " did not answer SERVING within ",
                                                      absl::FormatDuration(options.start_timeout)));
    }
    return absl::OkStatus();
  };

  // The port opens late in ServerHost::Start (after the database and migrations).
  while (!TcpAccepts(port_)) {
    if (absl::Status alive = check_alive(); !alive.ok()) return alive;
    SleepMs(1);
  }

  // A channel of its own (local subchannel pool) with short reconnect backoff, so a connection
  // attempt that raced the listener does not cost gRPC's default one-second backoff.
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 5);
  args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 5);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 50);
  std::unique_ptr<grpc::health::v1::Health::Stub> health = grpc::health::v1::Health::NewStub(
      grpc::CreateCustomChannel(address_, grpc::InsecureChannelCredentials(), args));
  grpc::health::v1::HealthCheckRequest request;
  request.set_service(options.health_service);
  std::string last_answer = "no answer";
  while (true) {
    grpc::ClientContext context;
    context.set_wait_for_ready(true);
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(500));
    grpc::health::v1::HealthCheckResponse response;
    const grpc::Status answer = health->Check(&context, request, &response);
    if (answer.ok() && response.status() == grpc::health::v1::HealthCheckResponse::SERVING) return absl::OkStatus();
    // NOT_FOUND until the server's health loop has pinged the database once.
    last_answer = answer.ok() ? grpc::health::v1::HealthCheckResponse::ServingStatus_Name(response.status())
                              : absl::StrCat("status ", answer.error_code(), ": ", answer.error_message());
    if (absl::Status alive = check_alive(); !alive.ok()) {
      return absl::Status(alive.code(), absl::StrCat(alive.message(), "; last health answer: ", last_answer));
    }
    SleepMs(1);
  }
}

bool ServerProcess::Reaped(int* status) {
  if (!running_) return true;
  const pid_t done = waitpid(pid_, status, WNOHANG);
  if (done == pid_ || (done < 0 && errno == ECHILD)) {
    running_ = false;
    return true;
  }
  return false;
}

std::optional<int64_t> ServerProcess::SelfReportedStartMs() const {
  std::ifstream log(log_path_);
  for (std::string line; std::getline(log, line);) {
    // "crm-server: serving on 127.0.0.1:PORT (database ..., N services) after M ms"
    if (!absl::StrContains(line, "serving on ")) continue;
    const size_t after = line.rfind(" after ");
    if (after == std::string::npos) continue;
    std::vector<absl::string_view> words = absl::StrSplit(absl::string_view(line).substr(after + 7), ' ');
    int64_t ms = 0;
    if (!words.empty() && absl::SimpleAtoi(words[0], &ms)) return ms;
  }
  return std::nullopt;
}

std::string ServerProcess::LogTail(int lines) const {
  std::ifstream log(log_path_);
  std::deque<std::string> tail;
  for (std::string line; std::getline(log, line);) {
    tail.push_back(std::move(line));
    if (static_cast<int>(tail.size()) > lines) tail.pop_front();
  }
  return absl::StrJoin(tail, "\n");
}

absl::StatusOr<absl::Duration> ServerProcess::Stop(absl::Duration timeout) {
  int status = 0;
  if (Reaped(&status)) return absl::FailedPreconditionError("the server had already exited");
  const SteadyClock::time_point asked = SteadyClock::now();
  kill(pid_, SIGTERM);
  while (!Reaped(&status)) {
    if (Since(asked) > timeout) {
      kill(pid_, SIGKILL);
      waitpid(pid_, &status, 0);
      running_ = false;
      return absl::DeadlineExceededError(
          absl::StrCat("the server did not exit within ", absl::FormatDuration(timeout), " of SIGTERM; killed"));
    }
    SleepMs(1);
  }
  const absl::Duration took = Since(asked);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return absl::InternalError(absl::StrCat("the server stopped with ", DescribeExit(status), " after SIGTERM\n",
                                            LogTail()));
  }
  return took;
}

ServerProcess::~ServerProcess() {
  if (running_) {
    kill(pid_, SIGKILL);
    int status = 0;
    waitpid(pid_, &status, 0);
  }
}

}  // namespace crm::bench

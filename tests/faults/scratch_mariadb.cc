#include "tests/faults/scratch_mariadb.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <soci/mysql/soci-mysql.h>
#include <soci/soci.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <fstream>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "bench/server_process.h"

namespace crm::faults {
namespace {

constexpr absl::Duration kStartTimeout = absl::Seconds(60);

// mariadbd refuses to run as root unless told to; as anyone else --user is ignored.
std::string CurrentUser() {
  const passwd* entry = getpwuid(geteuid());
  return entry != nullptr ? entry->pw_name : "root";
}

// Runs `args` with stdout and stderr appended to `log_path`; the exit code, or -1.
int RunTool(std::vector<std::string> args, const std::string& log_path) {
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  const int log_fd = open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log_fd < 0) return -1;
  const pid_t pid = fork();
  if (pid == 0) {
    dup2(log_fd, STDOUT_FILENO);
    dup2(log_fd, STDERR_FILENO);
    execv(argv[0], argv.data());
    _exit(127);
  }
  close(log_fd);
  if (pid < 0) return -1;
  int status = 0;
  if (waitpid(pid, &status, 0) != pid) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// True once `connect_string` logs in and answers a query.
bool CanLogIn(const std::string& connect_string) {
  try {
    soci::session session(soci::mysql, connect_string);
    int one = 0;
    session << "SELECT 1", soci::into(one);
    return one == 1;
  } catch (const std::exception&) {
    return false;
  }
}

}  // namespace

// mariadbd lives in /usr/sbin, which is not on every user's PATH.
std::string FindMariadbTool(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::vector<std::string> dirs = absl::StrSplit(path != nullptr ? path : "", ':', absl::SkipEmpty());
  dirs.push_back("/usr/sbin");
  dirs.push_back("/usr/bin");
  for (const std::string& dir : dirs) {
    std::string candidate = absl::StrCat(dir, "/", name);
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return "";
}

bool ScratchMariadb::Installed() {
  return !FindMariadbTool("mariadbd").empty() && !FindMariadbTool("mariadb-install-db").empty();
}

absl::StatusOr<std::unique_ptr<ScratchMariadb>> ScratchMariadb::Create(const std::string& dir,
                                                                       const ScratchMariadbOptions& options) {
  std::unique_ptr<ScratchMariadb> db(new ScratchMariadb(dir, options));
  const std::string install_log = absl::StrCat(dir, "/install.log");
  if (!Installed()) return absl::FailedPreconditionError("mariadbd or mariadb-install-db is not installed");
  if (options.initialize) {
    const int installed =
        RunTool({FindMariadbTool("mariadb-install-db"), "--no-defaults", absl::StrCat("--user=", CurrentUser()),
                 absl::StrCat("--datadir=", dir, "/data"), "--auth-root-authentication-method=normal",
                 "--skip-test-db"},
                install_log);
    if (installed != 0) {
      return absl::FailedPreconditionError(
          absl::StrCat("mariadb-install-db failed (exit ", installed, "); see ", install_log));
    }
  }
  if (options.port != 0) {
    db->port_ = options.port;
    bool port_taken = false;
    if (absl::Status started = db->Spawn(options.first_start_args, &port_taken); !started.ok()) return started;
  } else {
    // A port found free may be taken before mariadbd binds it: then try another one.
    for (int attempt = 0;; ++attempt) {
      absl::StatusOr<int> port = bench::PickFreePort();
      if (!port.ok()) return port.status();
      db->port_ = *port;
      bool port_taken = false;
      absl::Status started = db->Spawn(options.first_start_args, &port_taken);
      if (started.ok()) break;
      if (!port_taken || attempt == 4) return started;
    }
  }
  if (options.initialize) {
    if (absl::Status user = db->CreateUser(); !user.ok()) return user;
  }
  return db;
}

ScratchMariadb::~ScratchMariadb() {
  if (!running()) return;
  if (!Stop().ok() && running()) {
    kill(pid_, SIGKILL);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
  }
}

std::string ScratchMariadb::base_url() const { return absl::StrCat("mysql://crm:crm@127.0.0.1:", port_, "/"); }

absl::Status ScratchMariadb::Start(const std::vector<std::string>& extra_args) {
  if (running()) return absl::FailedPreconditionError("mariadbd is already running");
  bool port_taken = false;
  if (absl::Status spawned = Spawn(extra_args, &port_taken); !spawned.ok()) return spawned;
  const std::string crm_login =
      absl::StrCat("user=crm password=crm host=127.0.0.1 port=", port_, " connect_timeout=5");
  if (!CanLogIn(crm_login)) return absl::UnavailableError("mariadbd is back but user crm cannot log in over TCP");
  return absl::OkStatus();
}

std::vector<std::string> ScratchMariadb::ServerArgs() const {
  std::vector<std::string> args = {
      FindMariadbTool("mariadbd"),
      "--no-defaults",
      absl::StrCat("--user=", CurrentUser()),
      absl::StrCat("--datadir=", dir_, "/data"),
      absl::StrCat("--socket=", dir_, "/sock"),
      absl::StrCat("--port=", port_),
      "--bind-address=127.0.0.1",
      absl::StrCat("--pid-file=", dir_, "/mariadbd.pid"),
      absl::StrCat("--log-error=", dir_, "/error.log"),
      "--skip-log-bin",
      "--skip-name-resolve",
      "--character-set-server=utf8mb4",
      "--collation-server=utf8mb4_general_ci",
  };
  args.insert(args.end(), options_.extra_args.begin(), options_.extra_args.end());
  return args;
}

absl::Status ScratchMariadb::Spawn(const std::vector<std::string>& start_args, bool* port_taken) {
  // A fresh error log per start, so a failure is reported with its own lines.
  std::ofstream(absl::StrCat(dir_, "/error.log"), std::ios::trunc).close();
  std::vector<std::string> args = ServerArgs();
  args.insert(args.end(), start_args.begin(), start_args.end());
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  const int out_fd = open(absl::StrCat(dir_, "/mariadbd.out").c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (out_fd < 0) return absl::InternalError(absl::StrCat("cannot write in ", dir_, ": ", std::strerror(errno)));
  const pid_t parent = getpid();
  const int death_signal = options_.parent_death_signal;
  const pid_t pid = fork();
  if (pid == 0) {
    // Never outlive the drill.
    prctl(PR_SET_PDEATHSIG, death_signal);
    if (getppid() != parent) _exit(126);
    const int null_fd = open("/dev/null", O_RDONLY);
    if (null_fd >= 0) dup2(null_fd, STDIN_FILENO);
    dup2(out_fd, STDOUT_FILENO);
    dup2(out_fd, STDERR_FILENO);
    execv(argv[0], argv.data());
    _exit(127);
  }
  close(out_fd);
  if (pid < 0) return absl::InternalError(absl::StrCat("fork: ", std::strerror(errno)));
  pid_ = pid;
  // mariadbd writes its pid file only once it has started, a Galera joiner after its state
  // transfer: written now, run.sh's clean-up finds a node that the drill left while starting.
  std::ofstream(absl::StrCat(dir_, "/mariadbd.pid"), std::ios::trunc) << pid << "\n";

  const absl::Time deadline = absl::Now() + kStartTimeout;
  const std::string root_login = absl::StrCat("user=root unix_socket=", dir_, "/sock connect_timeout=1");
  bool accepting = false;
  while (true) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      unlink(absl::StrCat(dir_, "/mariadbd.pid").c_str());
      const std::string log = LogTail();
      *port_taken = absl::StrContains(log, "Address already in use") || absl::StrContains(log, "Bind on TCP/IP port");
      return absl::UnavailableError(absl::StrCat("mariadbd exited while starting; its log:\n", log));
    }
    if (absl::Now() > deadline) {
      return absl::DeadlineExceededError(absl::StrCat("mariadbd did not accept logins within ",
                                                      absl::FormatDuration(kStartTimeout), "; its log:\n", LogTail()));
    }
    // Polled every millisecond: the outage drill times recovery from this moment.
    if (!accepting && bench::TcpAccepts(port_)) {
      accepting = true;
      accepting_since_ = absl::Now();
    }
    if (accepting && CanLogIn(root_login)) return absl::OkStatus();
    absl::SleepFor(accepting ? absl::Milliseconds(5) : absl::Milliseconds(1));
  }
}

absl::Status ScratchMariadb::CreateUser() {
  try {
    soci::session root(soci::mysql, absl::StrCat("user=root unix_socket=", dir_, "/sock"));
    root << "CREATE USER IF NOT EXISTS 'crm'@'127.0.0.1' IDENTIFIED BY 'crm'";
    root << "GRANT ALL PRIVILEGES ON *.* TO 'crm'@'127.0.0.1' WITH GRANT OPTION";
  } catch (const std::exception& e) {
    return absl::InternalError(absl::StrCat("creating user crm: ", e.what()));
  }
  return absl::OkStatus();
}

absl::Status ScratchMariadb::Stop(absl::Duration timeout) {
  if (!running()) return absl::OkStatus();
  kill(pid_, SIGTERM);
  const absl::Time deadline = absl::Now() + timeout;
  while (true) {
    int status = 0;
    const pid_t done = waitpid(pid_, &status, WNOHANG);
    if (done == pid_ || (done < 0 && errno == ECHILD)) {
      const bool reaped_here = done == pid_;
      pid_ = -1;
      if (reaped_here && !(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
        return absl::InternalError(absl::StrCat("mariadbd stopped with wait status ", status, "\n", LogTail()));
      }
      return absl::OkStatus();
    }
    if (absl::Now() > deadline) {
      return absl::DeadlineExceededError(
          absl::StrCat("mariadbd did not stop within ", absl::FormatDuration(timeout), " of SIGTERM"));
    }
    absl::SleepFor(absl::Milliseconds(1));
  }
}

void ScratchMariadb::Kill() {
  if (!running()) return;
  kill(pid_, SIGKILL);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
  // A crash leaves the pid file behind; run.sh's clean-up must not signal whoever gets the pid next.
  unlink(absl::StrCat(dir_, "/mariadbd.pid").c_str());
}

absl::StatusOr<std::string> ScratchMariadb::RecoverWsrepPosition() {
  if (running()) return absl::FailedPreconditionError("mariadbd is running");
  const std::string recover_log = absl::StrCat(dir_, "/recover.log");
  std::ofstream(recover_log, std::ios::trunc).close();
  std::vector<std::string> args = ServerArgs();
  // The later --log-error wins: the position is read from this run's own log.
  args.insert(args.end(), {"--wsrep-recover", absl::StrCat("--log-error=", recover_log)});
  const int exit_code = RunTool(args, absl::StrCat(dir_, "/mariadbd.out"));
  std::ifstream log(recover_log);
  constexpr char kMarker[] = "WSREP: Recovered position: ";
  std::string position;
  for (std::string line; std::getline(log, line);) {
    const size_t at = line.find(kMarker);
    if (at != std::string::npos) {
      position = std::string(absl::StripAsciiWhitespace(line.substr(at + sizeof(kMarker) - 1)));
    }
  }
  if (exit_code != 0 || position.empty() || absl::EndsWith(position, ":-1")) {
    return absl::InternalError(absl::StrCat("mariadbd --wsrep-recover (exit ", exit_code, ") found no position \"",
                                            position, "\"; see ", recover_log));
  }
  return position;
}

std::string ScratchMariadb::Log() const {
  std::ifstream log(absl::StrCat(dir_, "/error.log"));
  return std::string((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
}

std::string ScratchMariadb::LogTail(int lines) const {
  std::ifstream log(absl::StrCat(dir_, "/error.log"));
  std::deque<std::string> tail;
  for (std::string line; std::getline(log, line);) {
    tail.push_back(std::move(line));
    if (static_cast<int>(tail.size()) > lines) tail.pop_front();
  }
  return absl::StrJoin(tail, "\n");
}

}  // namespace crm::faults

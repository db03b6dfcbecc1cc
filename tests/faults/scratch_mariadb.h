// A throw-away MariaDB server for the fault drills: its own data directory (mariadb-install-db),
// a free loopback port, a user crm/crm with every privilege. It can be stopped and started again
// on the same data directory and port, which is what the outage drill needs, and the destructor
// always stops it. With options it is also one node of a Galera cluster (scratch_galera.h).
#pragma once

#include <signal.h>
#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace crm::faults {

// The path of a MariaDB program (PATH, then /usr/sbin and /usr/bin, where mariadbd lives); empty
// when not found.
std::string FindMariadbTool(const std::string& name);

struct ScratchMariadbOptions {
  // mariadbd arguments added to every start (a Galera node's wsrep settings).
  std::vector<std::string> extra_args;
  // Added to the first start only (--wsrep-new-cluster).
  std::vector<std::string> first_start_args;
  // 0: a free port picked at creation (another one when it is taken before mariadbd binds it).
  // Otherwise this port and no other.
  int port = 0;
  // False: <dir>/data is left as the caller made it (a Galera joiner's stays empty until its
  // state transfer fills it) and no user is created (the transfer brings the donor's).
  bool initialize = true;
  // What mariadbd gets when the drill dies: SIGTERM shuts it down cleanly, but a Galera joiner
  // waiting for its state transfer ignores it.
  int parent_death_signal = SIGTERM;
};

class ScratchMariadb {
 public:
  // True when mariadbd and mariadb-install-db are found.
  static bool Installed();
  // Initialises <dir>/data (dir must exist and be the caller's own; keep it short, the socket
  // lives in it) and starts mariadbd.
  static absl::StatusOr<std::unique_ptr<ScratchMariadb>> Create(const std::string& dir,
                                                               const ScratchMariadbOptions& options = {});
  // Stops the server if it runs (SIGTERM, SIGKILL as a last resort). The files stay.
  ~ScratchMariadb();
  ScratchMariadb(const ScratchMariadb&) = delete;
  ScratchMariadb& operator=(const ScratchMariadb&) = delete;

  // Starts mariadbd on the data directory and port it had, with `extra_args` for this start only;
  // returns once the crm user can log in over TCP. accepting_since() is when the port first
  // accepted a connection.
  absl::Status Start(const std::vector<std::string>& extra_args = {});
  // Clean shutdown (SIGTERM) and wait for the process to exit.
  absl::Status Stop(absl::Duration timeout = absl::Seconds(60));
  // SIGKILL, and the process reaped: the files stay as the crash left them.
  void Kill();
  // Galera, on a stopped node: runs mariadbd --wsrep-recover on its files, as systemd's
  // galera_recovery does before a start, and returns the position it found (uuid:seqno). A node
  // started with --wsrep-start-position=<it> asks the cluster only for the writes it missed (IST)
  // instead of a full copy.
  absl::StatusOr<std::string> RecoverWsrepPosition();

  bool running() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }
  int port() const { return port_; }
  // mysql://crm:crm@127.0.0.1:<port>/ : append a database name.
  std::string base_url() const;
  const std::string& dir() const { return dir_; }
  absl::Time accepting_since() const { return accepting_since_; }
  // The last lines of mariadbd's error log.
  std::string LogTail(int lines = 15) const;
  // The error log since the last start.
  std::string Log() const;

 private:
  ScratchMariadb(std::string dir, ScratchMariadbOptions options) : dir_(std::move(dir)), options_(std::move(options)) {}
  // mariadbd's command line, without the arguments of one start.
  std::vector<std::string> ServerArgs() const;
  // Spawns mariadbd and waits until it accepts TCP connections and a login succeeds.
  absl::Status Spawn(const std::vector<std::string>& start_args, bool* port_taken);
  absl::Status CreateUser();

  std::string dir_;
  ScratchMariadbOptions options_;
  pid_t pid_ = -1;
  int port_ = 0;
  absl::Time accepting_since_;
};

}  // namespace crm::faults

// crm-server: every service in one process (the embedded default).
#include "common/server/server_host.h"
#include "services/server/all_modules.h"

int main(int argc, char** argv) {
  return crm::server::RunServerMain(argc, argv, "crm-server", crm::AllModules());
}

#!/usr/bin/env bash
# Runs the CRM server locally: installs the packages, builds Release into build-release/ and starts
# crm-server in the foreground on an SQLite database in a data directory.
#
#   deploy/local/run.sh [extra crm-server flags...]
#
# Environment: CRM_LISTEN (default 127.0.0.1:50051), CRM_DATA_DIR (default <repo>/data; a relative
# path is taken relative to the current directory), CRM_BUILD_JOBS (default 2).
set -euo pipefail

caller_dir=$PWD
repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$repo_root"

listen=${CRM_LISTEN:-127.0.0.1:50051}
data_dir=${CRM_DATA_DIR:-$repo_root/data}
case "$data_dir" in
  /*) ;;
  *) data_dir=$caller_dir/$data_dir ;;
esac

# build.sh runs deploy/install-deps.sh first. Tests and benchmarks are not needed to run the server.
"$repo_root/deploy/build.sh" build-release Release -DCRM_BUILD_TESTS=OFF -DCRM_BUILD_BENCH=OFF

mkdir -p "$data_dir"
data_dir=$(cd "$data_dir" && pwd)

server=$repo_root/build-release/services/server/crm-server
crmctl=$repo_root/build-release/clients/crmctl/crmctl
if [ ! -x "$server" ]; then
  echo "run: $server was not built" >&2
  exit 1
fi

cat <<EOF
run: crm-server listening on $listen (data: $data_dir, database: $data_dir/crm.db)
run: every call needs an access token. The first start creates user "admin" and writes its token to
     $data_dir/admin-token (mode 0600); make tokens for others with crmctl users / tokens.
run: call it with
       $crmctl --address=$listen --token_file=$data_dir/admin-token accounts list
     or from Python (Debian: apt-get install python3-grpcio python3-protobuf; use /usr/bin/python3):
       mkdir -p /tmp/crm-py && protoc -I$repo_root/protos --python_out=/tmp/crm-py --grpc_out=/tmp/crm-py \\
         --plugin=protoc-gen-grpc=/usr/bin/grpc_python_plugin \$(find $repo_root/protos -name '*.proto')
       then PYTHONPATH=/tmp/crm-py /usr/bin/python3: grpc.insecure_channel('$listen') + crm.v1.*_pb2_grpc stubs,
       each call with metadata=[('authorization', 'Bearer ' + <token>)].
     The server speaks gRPC health checking and reflection (grpc.reflection.v1alpha.ServerReflection).
run: Ctrl-C or SIGTERM stops it.
EOF

exec "$server" --listen="$listen" --db="sqlite://$data_dir/crm.db" --data_dir="$data_dir" "$@"

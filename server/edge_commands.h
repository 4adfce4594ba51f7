// The platform commands of vivarium-edge (the `vivarium` binary execs it for
// them; see cli/exec_edge.cc). Each returns the process exit status.
#pragma once

namespace vivarium::server {

int cmd_serve(int argc, char** argv);        // cmd_serve.cc
int cmd_deploy(int argc, char** argv);       // cmd_admin_client.cc
int cmd_deployments(int argc, char** argv);
int cmd_undeploy(int argc, char** argv);
int cmd_logs(int argc, char** argv);

}  // namespace vivarium::server

// dspamctl: classify, train, retrain, statistics, token dumps, database
// maintenance and accuracy evaluation from the command line.
#include "tools/dspamctl/commands.h"

int main(int argc, char** argv) { return dspamd::cli::run_dspamctl(argc, argv); }

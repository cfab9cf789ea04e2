// The libmilter callback table: extern "C" trampolines that fetch the
// Session of the connection (smfi_getpriv), call one of its methods, catch
// every exception and map it to an SMFIS_* status. No exception crosses into
// libmilter's C code.
#pragma once

#include <libmilter/mfapi.h>

#include "milter/runtime.h"

namespace dspamd::milter {

// The snapshots new connections start with; must outlive smfi_main().
void set_runtime_holder(const RuntimeHolder* holder);

// The description to pass to smfi_register: every callback dspamd uses, and
// the actions it may take (add and change headers, replace the body,
// quarantine, ask for macros).
smfiDesc filter_description();

}  // namespace dspamd::milter

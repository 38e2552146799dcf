// The runtime's version. Generated headers check the major version they
// were generated for, so mismatched generator and runtime fail to compile
// with a clear message instead of misbehaving.
#pragma once

#define PSCHEMA_RUNTIME_VERSION_MAJOR 0
#define PSCHEMA_RUNTIME_VERSION_MINOR 1

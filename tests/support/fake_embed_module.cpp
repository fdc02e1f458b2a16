// A stand-in embedding module for the loader's unit tests: the table of a
// module built for Python FAKE_MAJOR.FAKE_MINOR (free-threaded if
// FAKE_FREE_THREADED), of table version FAKE_TABLE_VERSION, with no
// function behind it. Loading it starts no Python. With FAKE_UNDEFINED it
// needs a symbol no libpython has, as a module built against newer headers
// than the library loaded might. FAKE_HEADERS: the version of the headers
// it says it was built with.
#include "pycache/embed_abi.h"

#ifndef FAKE_HEADERS
#define FAKE_HEADERS "fake"
#endif

namespace {
constexpr PycacheEmbedV1 kTable = {FAKE_TABLE_VERSION,
                                   sizeof(PycacheEmbedV1),
                                   FAKE_MAJOR,
                                   FAKE_MINOR,
                                   FAKE_FREE_THREADED,
                                   0,
                                   FAKE_HEADERS,
                                   nullptr,
                                   nullptr,
                                   nullptr,
                                   nullptr,
                                   nullptr,
                                   nullptr,
                                   nullptr};
}  // namespace

#ifdef FAKE_UNDEFINED
extern "C" int PyFake_NoLibpythonHasThis();
extern "C" {
__attribute__((visibility("default"))) void* fake_needs = reinterpret_cast<void*>(&PyFake_NoLibpythonHasThis);
}
#endif

extern "C" __attribute__((visibility("default"))) const PycacheEmbedV1* pycache_embed_v1() { return &kTable; }

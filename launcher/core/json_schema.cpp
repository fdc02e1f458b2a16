#include "pycache/json_schema.hpp"

namespace pycache {
namespace {

// Counts by state, the same in status's expected and groups.
#define PYCACHE_STATES(prefix)                                                                                   \
  {prefix ".fresh", "integer", "pycs whose recorded mtime and size (or hash) match their source"},               \
      {prefix ".stale", "integer", "pycs whose source changed since they were written"},                         \
      {prefix ".unverified", "integer", "unchecked hash-based pycs: valid whatever the source says"},            \
      {prefix ".orphaned", "integer", "pycs in __pycache__ or the prefix whose source is gone"},                 \
      {prefix ".sourceless", "integer", "legacy pycs beside no source: importable bytecode without a source"}, { \
    prefix ".invalid", "integer", "files named as pycs that are not (truncated, no magic number)"                \
  }

constexpr JsonField kPolicy[] = {
    {"policy_file", "string|null", "the project's policy file, or null when none was found or read"},
    {"files_read[]", "string", "every policy file read, lowest precedence first"},
    {"refused[]", "object", "policy files found but not honoured (owned by someone else)"},
    {"refused[].file", "string", "the file"},
    {"refused[].why", "string", "why it was refused, and how to trust it"},
    {"settings", "object", "every policy key, in the order of the key reference"},
    {"settings.*", "object", "one key: its resolved value and where the value came from"},
    {"settings.*.value", "boolean|integer|string|string[]", "the value, of the key's type"},
    {"settings.*.origin", "string",
     "where it came from: \"default\", \"environment PYTHONOPTIMIZE\", \"command line -O\", \"FILE:LINE:COL\""},
    {"inherited", "boolean", "true when the policy is a parent pycache interpreter's, passed to its child"},
    {"children", "object", "what child interpreters get"},
    {"children.propagate", "boolean", "whether child interpreters follow the policy (propagate = \"tree\")"},
    {"children.environment", "object", "with propagate, the PYTHON* variables children are started with"},
    {"children.environment.*", "string|null", "a variable's value, or null when it is removed"},
};

constexpr JsonField kStatus[] = {
    {"schema", "integer", "the version of this document: 1"},
    {"cache_tag", "string", "the cache tag of the project's Python, such as \"cpython-311\""},
    {"roots[]", "object", "one per PATH"},
    {"roots[].root", "string", "the PATH, absolute"},
    {"roots[].policy", "object", "the policy resolved for PATH", "policy"},
    {"roots[].sources", "integer", ".py files walked"},
    {"roots[].expected", "object", "the sources against the pycs the policy reads"},
    {"roots[].expected.location", "string", "\"__pycache__\" or \"prefix\""},
    {"roots[].expected.tag", "string", "the cache tag the policy's Python reads"},
    {"roots[].expected.optimize", "integer", "the policy's optimization level"},
    {"roots[].expected.compiled", "integer", "sources that have such a pyc"},
    {"roots[].expected.missing", "integer", "sources that have neither such a pyc nor pytest's (below)"},
    {"roots[].expected.pytest_only", "integer",
     "sources whose only pyc there is pytest's rewritten one of that tag (test modules only pytest imported)"},
    {"roots[].expected.states", "object", "those pycs by state"},
    PYCACHE_STATES("roots[].expected.states"),
    {"roots[].groups[]", "object", "the pycs found, one group per row of the text report"},
    {"roots[].groups[].location", "string", "\"__pycache__\", \"legacy\" (beside the source) or \"prefix\""},
    {"roots[].groups[].tag", "string", "their cache tag (\"cpython-311\"), or the Python of a legacy pyc"},
    {"roots[].groups[].optimize", "integer", "their optimization level"},
    {"roots[].groups[].pytest", "boolean", "true for pytest's rewritten test modules"},
    {"roots[].groups[].files", "integer", "how many"},
    {"roots[].groups[].bytes", "integer", "their size"},
    {"roots[].groups[].states", "object", "by state"},
    PYCACHE_STATES("roots[].groups[].states"),
    {"roots[].groups[].modes", "object", "by invalidation mode"},
    {"roots[].groups[].modes.timestamp", "integer", "checked by the source's mtime and size"},
    {"roots[].groups[].modes.checked-hash", "integer", "checked by the source's hash"},
    {"roots[].groups[].modes.unchecked-hash", "integer", "never checked"},
    {"roots[].temp_files", "object", "temporary files left by interrupted writers (NAME.pyc.NNN)"},
    {"roots[].temp_files.files", "integer", "how many"},
    {"roots[].temp_files.bytes", "integer", "their size"},
    {"roots[].sourceless[]", "object", "each sourceless legacy pyc"},
    {"roots[].sourceless[].path", "string", "the file"},
    {"roots[].sourceless[].detail", "string", "the Python it is bytecode for"},
    {"roots[].invalid[]", "object", "each file named as a pyc that is not one"},
    {"roots[].invalid[].path", "string", "the file"},
    {"roots[].invalid[].detail", "string", "what is wrong with it"},
    {"roots[].bytecode_dirs[]", "object", "each __pycache__ directory holding bytecode"},
    {"roots[].bytecode_dirs[].path", "string", "the directory"},
    {"roots[].bytecode_dirs[].detail", "string", "how many files it holds"},
    {"roots[].legacy[]", "object", "each legacy pyc (beside its source, Python 2 style)"},
    {"roots[].legacy[].path", "string", "the file"},
    {"roots[].legacy[].detail", "string", "its state"},
    {"roots[].not_regular[]", "object",
     "each name import would open as a pyc that is a symlink, FIFO, socket or device (it can hang import)"},
    {"roots[].not_regular[].path", "string", "the entry"},
    {"roots[].not_regular[].detail", "string", "what it is"},
    {"roots[].prefix", "object|null", "the cache prefix, or null when the policy sets none"},
    {"roots[].prefix.path", "string", "the prefix directory"},
    {"roots[].prefix.exists", "boolean", "whether it exists"},
    {"roots[].prefix.files", "integer", "pycs it holds (all projects)"},
    {"roots[].prefix.bytes", "integer", "their size"},
    {"roots[].prefix.max_size", "integer|null", "prefix-max-size in bytes, or null for no limit"},
    {"roots[].prefix.over_limit", "boolean", "whether it holds more than max_size"},
    {"roots[].git", "object|null", "what git says about PATH, or null outside a work tree or with --no-git"},
    {"roots[].git.work_tree", "string", "the work tree's top directory"},
    {"roots[].git.error", "string|null", "git's error (not installed, dubious ownership), or null"},
    {"roots[].git.tracked[]", "string", "bytecode files in git's index"},
    {"roots[].git.tracked_ignored[]", "string", "tracked bytecode files that the ignore rules also match"},
    {"roots[].git.unignored[]", "string", "untracked bytecode files the ignore rules miss"},
    {"roots[].git.ignores_pycache", "boolean", "whether the ignore rules cover __pycache__/"},
    {"roots[].git.ignores_legacy", "boolean", "whether they cover *.pyc beside the sources"},
    {"roots[].git.ignores_prefix", "boolean|null",
     "whether they cover the pycs of a cache prefix inside the work tree, or null when there is none"},
    {"findings[]", "object", "the problems `status --check` fails on"},
    {"findings[].kind", "string",
     "\"tracked\", \"sourceless\", \"bytecode-in-tree\", \"prefix-not-ignored\", \"not-regular\" or "
     "\"unreadable\""},
    {"findings[].path", "string", "the file or directory"},
    {"findings[].detail", "string", "what to do about it"},
    {"errors[]", "object", "what the walk could not read"},
    {"errors[].path", "string", "the file or directory"},
    {"errors[].error", "string", "the system's message, such as \"Permission denied\""},
};

constexpr JsonField kShowPyc[] = {
    {"kind", "string", "\"pyc\""},
    {"path", "string", "the file"},
    {"size", "integer", "its size in bytes"},
    {"magic", "integer", "the magic number"},
    {"python", "string|null", "the Python version the magic number belongs to, or null when unknown"},
    {"loadable", "boolean", "whether the magic number is the project Python's (it can import the pyc)"},
    {"flags", "integer|null", "the flags word, or null for headers older than Python 3.7"},
    {"mode", "string", "\"timestamp\", \"checked-hash\" or \"unchecked-hash\""},
    {"source_mtime", "integer|null", "the source's mtime recorded (timestamp pycs), else null"},
    {"source_mtime_utc", "string|null", "the same as an ISO 8601 UTC date, else null"},
    {"source_size", "integer|null", "the source's size recorded (timestamp pycs), else null"},
    {"source_hash", "string|null", "the source's SipHash recorded, in hex (hash-based pycs), else null"},
    {"source", "string|null", "the source the pyc belongs to, or null when it has none"},
    {"freshness", "string", "\"fresh\", \"stale\", \"orphaned\", \"unknown\" or \"unverifiable\""},
    {"detail", "string", "why, in words"},
    {"actual_hash", "string|null", "the source's hash now (hash-based pycs), else null"},
    {"checked_at_import", "boolean", "whether the import system checks this pyc against its source"},
    {"disassembly", "string", "with --dis only: the header and dis.dis of the code"},
};

constexpr JsonField kShowSource[] = {
    {"kind", "string", "\"source\""},
    {"path", "string", "the source"},
    {"exists", "boolean", "whether the source exists"},
    {"stat_error", "string|null", "why the source could not be read, or null"},
    {"cache_tag", "string", "the cache tag of the project's Python"},
    {"prefix", "string|null", "the cache prefix of the policy, or null for __pycache__"},
    {"levels[]", "object", "one per optimization level, 0 to 2"},
    {"levels[].optimize", "integer", "the level"},
    {"levels[].path", "string", "where its pyc is looked for"},
    {"levels[].exists", "boolean", "whether it is there"},
    {"levels[].policy_level", "boolean", "whether the policy imports at this level"},
    {"levels[].report", "object|null", "the pyc decoded, or null when there is none", "show-pyc"},
    {"levels[].error", "string|null", "why the pyc could not be decoded, or null"},
    {"others[]", "string",
     "other pycs of this source: other cache tags, the location the policy does not use, a legacy NAME.pyc"},
    {"disassembly", "string", "with --dis only: the disassembly of the policy level's pyc"},
};

constexpr JsonField kClean[] = {
    {"dry_run", "boolean", "true with --dry-run: nothing was removed"},
    {"paths[]", "string", "the PATHs cleaned (empty with --prefix)"},
    {"prefixes[]", "string", "the cache prefixes whose mirrors of PATHs (or, with --prefix, whole) were cleaned"},
    {"files", "integer", "files removed (or that would be)"},
    {"directories", "integer", "directories removed"},
    {"bytes", "integer", "bytes freed"},
    {"seconds", "number", "how long it took"},
    {"reasons", "object", "files and directories removed, by reason"},
    {"reasons.*", "integer",
     "one reason: bytecode, pytest, temp, legacy, orphaned, other-version, sourceless, unused, evicted, debris, "
     "empty-dir (reasons with no removal are left out)"},
    {"kept_bytecode", "integer", "bytecode files left in place (with --stale, and by prefix upkeep)"},
    {"prefix_bytes_left", "integer|null",
     "with --prefix only: the bytes of bytecode the prefixes still hold when --max-size applies, else null"},
    {"kept[]", "object", "directories kept because they hold entries that are not bytecode, or are mount points"},
    {"kept[].path", "string", "the directory"},
    {"kept[].others", "integer", "how many such entries (files, links, directories)"},
    {"kept[].mount_point", "boolean", "true for a mount point, left alone whatever it holds"},
    {"problems[]", "object", "what could not be read or removed"},
    {"problems[].path", "string", "the file or directory"},
    {"problems[].action", "string", "what was tried"},
    {"problems[].error", "string", "the system's message"},
    {"problems[].errno", "integer", "the errno value"},
    {"removed[]", "object", "with --verbose or --dry-run only: each removal"},
    {"removed[].path", "string", "the file or directory"},
    {"removed[].reason", "string", "one of the reasons above"},
    {"removed[].directory", "boolean", "whether it is a directory"},
    {"removed[].bytes", "integer", "its size"},
};

constexpr JsonField kCompile[] = {
    {"sources", "integer", ".py files found"},
    {"written", "integer", "pycs written"},
    {"up_to_date", "integer", "pycs already current, left alone"},
    {"compiled", "integer", "sources compiled (each once, at every level that was not current)"},
    {"compile_errors", "integer", "sources that do not compile"},
    {"errors", "integer", "other failures: a source unreadable, a pyc unwritable"},
    {"skipped_symlinks", "integer", "*.py symlinks: not followed, not compiled"},
    {"hashed", "integer", "sources hashed to check hash-based pycs"},
    {"invalidation_mode", "string", "\"timestamp\", \"checked-hash\" or \"unchecked-hash\""},
    {"force", "boolean", "whether --force rewrote current pycs"},
    {"workers", "integer", "worker processes used"},
    {"seconds", "number", "how long it took"},
    {"roots[]", "object", "one per PATH"},
    {"roots[].path", "string", "the PATH, absolute"},
    {"roots[].cache_prefix", "string", "the cache prefix written to, or \"\" for __pycache__"},
    {"roots[].optimize[]", "integer", "the optimization levels written"},
    {"roots[].write_bytecode", "boolean", "the policy's write-bytecode (compile writes either way)"},
    {"failures[]", "object", "each source that failed"},
    {"failures[].path", "string", "the source, as the PATH was spelled"},
    {"failures[].type", "string", "the exception: \"SyntaxError\", \"IndentationError\", ..., or \"OSError\""},
    {"failures[].message", "string", "its message"},
    {"failures[].line", "integer", "the line, or 0 when there is none"},
    {"failures[].column", "integer", "the column, or 0"},
    {"fatal", "string|null", "why nothing could be compiled (the interpreter could not start), or null"},
};

constexpr JsonField kPythonList[] = {
    {"[]", "object", "one interpreter found, in the order of discovery"},
    {"[].name", "string", "what --python takes: \"3.12\", \"3.13t\" for a free-threaded build"},
    {"[].version", "string", "its full version, \"3.12.1\", or only \"3.12\" when no file tells more"},
    {"[].version_source", "string",
     "where the version was read: \"patchlevel.h\", \"directory name\", \"binary\" (its libpython's or its own "
     "bytes) or \"name\" (only the minor version is known)"},
    {"[].free_threaded", "boolean", "whether it is a free-threaded (no-GIL) build"},
    {"[].path", "string", "where it was found first"},
    {"[].aliases[]", "string", "its other paths found that are the same file (links, hard links)"},
    {"[].real", "string", "its real path, links resolved"},
    {"[].place", "string", "where it was found: \"uv\", \"pyenv\", \"PATH\", \"/usr/local/bin\" or \"/usr/bin\""},
    {"[].prefix", "string|null", "its installation prefix (where its standard library is), or null when none is found"},
    {"[].link", "string", "\"shared\" when the binary links libpython, \"static\" when CPython is linked into it"},
    {"[].libpython", "string|null", "its shared libpython, or null when it has none"},
    {"[].refused", "string|null",
     "why pycache never loads or runs it (it or its libpython belongs to another user, or sits where anyone can "
     "write), or null"},
    {"[].embeddable", "boolean",
     "whether pycache can embed it: this build's module for its version and its libpython "
     "pass the loader's checks (nothing is loaded to tell)"},
    {"[].not_embeddable", "string|null", "why it cannot be embedded, or null"},
    {"[].run", "string",
     "how 'pycache run' runs it: \"runtime\" (a runtime of this build, run_runtime), \"embedded\" (through its "
     "embedding module), \"itself\" (it can't be embedded: the interpreter runs, the policy in python's flags) or "
     "\"not run\" (refused)"},
    {"[].run_reason", "string|null",
     "for \"itself\", why it can't be embedded; for \"not run\", why it is refused; else null"},
    {"[].run_runtime", "string|null",
     "the runtime of this build 'pycache run' uses for its version (\"3.11\"), or null: run does not use it"},
    {"[].run_interpreter", "string|null", "the interpreter that runtime was built from, or null"},
};

#undef PYCACHE_STATES

constexpr JsonDocument kDocuments[] = {
    {"policy", "pycache policy --json [PATH]", "The effective policy for PATH and where each value came from.",
     kPolicy},
    {"status", "pycache status --json [PATH...]",
     "What bytecode a tree has, against what its policy expects. \"schema\" changes when a field changes meaning "
     "or goes away; new fields may appear without a change.",
     kStatus},
    {"show-pyc", "pycache show --json FILE.pyc", "One pyc decoded.", kShowPyc},
    {"show-source", "pycache show --json FILE.py", "The pycs of one source, at every optimization level.", kShowSource},
    {"clean", "pycache clean --json [PATH...]", "What clean removed (or, with --dry-run, would remove).", kClean},
    {"compile", "pycache compile --json [PATH...]", "What compile wrote.", kCompile},
    {"python-list", "pycache python list --json",
     "The interpreters of this machine: an array, one object per interpreter.", kPythonList},
};

}  // namespace

std::span<const JsonDocument> json_documents() { return kDocuments; }

const JsonDocument* find_json_document(std::string_view name) {
  for (const auto& d : kDocuments)
    if (d.name == name) return &d;
  return nullptr;
}

}  // namespace pycache

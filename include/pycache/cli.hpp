#pragma once
// The command line. One program, two personalities, told apart by name: a
// program started as `pycache` (its argv[0], or the file that runs,
// /proc/self/exe) is the command-line tool; under any other name
// (pycache-python, a venv's python) it is python. argv[0] "pycache-internal"
// marks pycache's own helper processes.
namespace pycache::cli {

int main(int argc, char** argv);

}  // namespace pycache::cli

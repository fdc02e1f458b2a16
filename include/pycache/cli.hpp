#pragma once
// The command line. One program, two personalities, told apart by the name
// of the file that runs (/proc/self/exe, never argv[0]): `pycache` is the
// command-line tool, any other name (pycache-python, a venv's python) is python.
namespace pycache::cli {

int main(int argc, char** argv);

}  // namespace pycache::cli

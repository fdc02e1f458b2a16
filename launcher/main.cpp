#include "pycache/cli.hpp"

int main(int argc, char** argv) { return pycache::cli::main(argc, argv); }

#pragma once
// Errors that stop a command. Lower layers return std::expected-like results
// (Result<T>); the command layer turns an Error into one
// `pycache: error: ...` line and its exit code.
#include <optional>
#include <string>
#include <utility>
#include <variant>

#include "pycache/exit_code.hpp"

namespace pycache {

struct Error {
  std::string message;         // one line, lowercase, values quoted
  ExitCode code = kExitUsage;  // what the process exits with
};

// The Error of a bad command line or policy value: nothing was done (kExitUsage).
inline Error usage(std::string message) { return Error{std::move(message), kExitUsage}; }

// A call that can fail and returns nothing returns std::optional<Error>:
// std::nullopt when it did what it says, else why not. (Never Result<bool>,
// whose bool would mean nothing.)

// A value or an Error (std::expected is C++23).
template <class T>
class Result {
 public:
  Result(T value) : v_(std::move(value)) {}      // NOLINT: implicit by design
  Result(Error error) : v_(std::move(error)) {}  // NOLINT
  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() { return std::get<0>(v_); }
  const T& value() const { return std::get<0>(v_); }
  T& operator*() { return value(); }
  const T& operator*() const { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  const Error& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, Error> v_;
};

}  // namespace pycache

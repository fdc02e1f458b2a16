#pragma once
// The progress line of the commands that take a while (clean, compile): one
// line on stderr redrawn in place, and wiped before other output and at the
// end. Only on a terminal: the caller says whether it is enabled.
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace pycache::cli {

class ProgressLine {
 public:
  explicit ProgressLine(bool enabled) : enabled_(enabled) {}
  bool enabled() const { return enabled_; }
  // Draws `line` in place of the last one.
  void show(const std::string& line);
  // Wipes the line, if one is shown.
  void clear();

 private:
  bool enabled_;
  bool shown_ = false;
};

// A ProgressLine a thread of its own redraws from `text()` every 200 ms, once
// the work has taken more than half a second. `out_mu` guards the terminal:
// the thread draws with it held, and clear() is called with it held.
class PolledProgressLine {
 public:
  PolledProgressLine(std::function<std::string()> text, std::mutex& out_mu, bool enabled);
  ~PolledProgressLine();
  PolledProgressLine(const PolledProgressLine&) = delete;
  PolledProgressLine& operator=(const PolledProgressLine&) = delete;
  // Stops the thread and wipes the line.
  void stop();
  // Wipes the line before other output goes to the terminal (out_mu held).
  void clear() { line_.clear(); }

 private:
  void loop();
  std::function<std::string()> text_;
  std::mutex& out_mu_;
  ProgressLine line_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool done_ = false;
  std::thread thread_;
};

}  // namespace pycache::cli

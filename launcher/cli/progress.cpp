#include "progress.hpp"

#include <cstdio>

namespace pycache::cli {

void ProgressLine::show(const std::string& line) {
  if (!enabled_) return;
  std::fprintf(stderr, "\r%s\033[K", line.c_str());
  std::fflush(stderr);
  shown_ = true;
}

void ProgressLine::clear() {
  if (!shown_) return;
  std::fputs("\r\033[K", stderr);
  std::fflush(stderr);
  shown_ = false;
}

PolledProgressLine::PolledProgressLine(std::function<std::string()> text, std::mutex& out_mu, bool enabled)
    : text_(std::move(text)), out_mu_(out_mu), line_(enabled) {
  if (enabled) thread_ = std::thread([this] { loop(); });
}

PolledProgressLine::~PolledProgressLine() { stop(); }

void PolledProgressLine::stop() {
  if (!thread_.joinable()) return;
  {
    std::lock_guard lock(mu_);
    done_ = true;
  }
  cv_.notify_all();
  thread_.join();
  line_.clear();
}

void PolledProgressLine::loop() {
  using namespace std::chrono_literals;
  std::unique_lock lock(mu_);
  if (cv_.wait_for(lock, 500ms, [&] { return done_; })) return;
  while (!done_) {
    std::string line = text_();
    {
      std::lock_guard out(out_mu_);
      line_.show(line);
    }
    cv_.wait_for(lock, 200ms, [&] { return done_; });
  }
}

}  // namespace pycache::cli

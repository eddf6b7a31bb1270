// cachet/detail/refresher.hpp: the thread on which a cached function
// recomputes entries due for a refresh (expiry_options::refresh_after), so
// that the hit that finds one returns at once.
//
// One thread per cache, started by the first refresh and stopped by the
// cache's destructor: the refresh running then finishes, the queued ones
// are cancelled (each task is told, so that it releases its key's flight).
// A copy or a move of the cache first waits for the source's refreshes,
// since they write into the source's store.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <utility>

namespace cachet::detail {

class refresher {
 public:
  //! A refresh: called with true to run it, false to cancel it. It must
  //! not throw.
  using task = std::function<void(bool run)>;

  refresher() = default;
  refresher(const refresher& other) { other.drain(); }
  refresher(refresher&& other) noexcept { other.drain(); }
  refresher& operator=(const refresher& other) {
    if (this != &other) {
      drain();
      other.drain();
    }
    return *this;
  }
  refresher& operator=(refresher&& other) noexcept { return *this = static_cast<const refresher&>(other); }
  ~refresher() { stop(); }

  //! Queues `t`, starting the thread if it is not running.
  void submit(task t) {
    std::lock_guard<std::mutex> g(mutex_);
    queue_.push_back(std::move(t));
    if (!worker_.joinable()) worker_ = std::thread([this] { work(); });
    wake_.notify_one();
  }

  //! Waits until no refresh is queued or running.
  void drain() const {
    std::unique_lock<std::mutex> l(mutex_);
    idle_.wait(l, [&] { return queue_.empty() && !busy_; });
  }

  //! Cancels the queued refreshes, lets the running one finish, and joins
  //! the thread.
  void stop() noexcept {
    std::deque<task> cancelled;
    {
      std::lock_guard<std::mutex> g(mutex_);
      stopping_ = true;
      cancelled.swap(queue_);
      wake_.notify_one();
    }
    for (auto& t : cancelled) t(false);
    if (worker_.joinable()) worker_.join();
    std::lock_guard<std::mutex> g(mutex_);
    stopping_ = false;
    idle_.notify_all();
  }

 private:
  void work() {
    std::unique_lock<std::mutex> l(mutex_);
    for (;;) {
      wake_.wait(l, [&] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
      task t = std::move(queue_.front());
      queue_.pop_front();
      busy_ = true;
      l.unlock();
      t(true);
      l.lock();
      busy_ = false;
      if (queue_.empty()) idle_.notify_all();
    }
  }

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  mutable std::condition_variable idle_;
  std::deque<task> queue_;
  bool busy_ = false;
  bool stopping_ = false;
  std::thread worker_;
};

}  // namespace cachet::detail

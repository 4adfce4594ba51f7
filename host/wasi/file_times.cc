#include "host/wasi/file_times.h"

namespace vivarium::wasi {
namespace {

struct timespec one(Timestamp t, bool set, bool now) {
  struct timespec ts {};
  if (now) {
    ts.tv_nsec = UTIME_NOW;
  } else if (set) {
    ts.tv_sec = static_cast<time_t>(t / 1000000000ull);
    ts.tv_nsec = static_cast<long>(t % 1000000000ull);
  } else {
    ts.tv_nsec = UTIME_OMIT;
  }
  return ts;
}

}  // namespace

ErrnoOr<std::array<struct timespec, 2>> file_times(Timestamp atim, Timestamp mtim, uint32_t f) {
  if (f & ~uint32_t{fstflag::All}) return Errno::Inval;
  if ((f & fstflag::Atim) && (f & fstflag::AtimNow)) return Errno::Inval;
  if ((f & fstflag::Mtim) && (f & fstflag::MtimNow)) return Errno::Inval;
  return std::array<struct timespec, 2>{one(atim, f & fstflag::Atim, f & fstflag::AtimNow),
                                        one(mtim, f & fstflag::Mtim, f & fstflag::MtimNow)};
}

}  // namespace vivarium::wasi

//! Wall-clock time from the host.

use crate::hostcalls::raw::hostcall_time_now;
use std::time::Duration;

pub struct Time {}

impl Time {
    /// Time since the Unix epoch. Terrarium returned a `coarsetime::Duration`
    /// (not packaged by Debian); `std::time::Duration` has the same
    /// `as_secs` and `subsec_nanos`.
    pub fn since_epoch() -> Duration {
        let mut nanos: u32 = 0;
        let secs = unsafe { hostcall_time_now(&mut nanos) };
        Duration::new(secs, nanos.min(999_999_999))
    }
}

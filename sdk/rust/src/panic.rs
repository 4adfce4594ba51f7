//! Panics reach the host through `hostcall_panic_hook`; the client gets a
//! 500 carrying the message. With `panic = "abort"` the guest then traps.

use crate::hostcalls::panic_hook;
use std::panic;
use std::sync::Once;

/// The hook: the panic's message and location, as `Display` prints them.
pub fn hook(info: &panic::PanicInfo) {
    panic_hook(&info.to_string());
}

/// Installs `hook` the first time; later calls do nothing. The `guest_app!`
/// macros call it.
#[inline]
pub fn panic_set_once() {
    static SET_HOOK: Once = Once::new();
    SET_HOOK.call_once(|| panic::set_hook(Box::new(hook)));
}

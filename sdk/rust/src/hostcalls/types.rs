//! Handle types and the guest/host slice layout of the Terrarium ABI.

use std::{mem, slice};

/// Result of the setters and of `req_set_*`: 0 = Ok, 1 = Invalid.
#[repr(u8)]
#[derive(Clone, Copy, Debug, Eq, PartialEq)]
pub enum HostcallStatus {
    Ok = 0,
    Invalid = 1,
}

impl HostcallStatus {
    pub fn try_from_u8(v: u8) -> Option<HostcallStatus> {
        match v {
            0 => Some(HostcallStatus::Ok),
            1 => Some(HostcallStatus::Invalid),
            _ => None,
        }
    }

    /// Any value but 0 counts as Invalid: a host that broke the ABI must
    /// not be able to make the guest believe a call succeeded.
    pub(crate) fn from_raw(v: i32) -> HostcallStatus {
        if v == 0 {
            HostcallStatus::Ok
        } else {
            HostcallStatus::Invalid
        }
    }
}

/// `{u32 ptr, u32 len}`: what list-returning hostcalls hand back, and what
/// `*_set_header` takes for its values. `len` counts bytes.
#[repr(C)]
#[derive(Debug)]
pub struct GuestSlice<T> {
    ptr: *const T,
    len: usize,
}

impl<T> GuestSlice<T> {
    pub fn new(ptr: *const T, len: usize) -> Self {
        GuestSlice { ptr, len }
    }

    /// # Safety
    /// `ptr` must point to `len` readable bytes that outlive `'a`.
    pub unsafe fn to_slice<'a>(&self) -> &'a [T] {
        let size = mem::size_of::<T>().max(1);
        assert!(self.len % size == 0, "GuestSlice didn't contain a multiple of element size");
        if self.ptr.is_null() || self.len == 0 {
            return &[];
        }
        slice::from_raw_parts(self.ptr, self.len / size)
    }

    pub fn raw(&self) -> *const T {
        self.ptr
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

macro_rules! handle_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Eq, Hash, PartialEq)]
        pub struct $name(pub(crate) i32);

        impl From<i32> for $name {
            fn from(i: i32) -> $name {
                $name(i)
            }
        }
        impl From<$name> for i32 {
            fn from(h: $name) -> i32 {
                h.0
            }
        }
        impl<'a> From<&'a $name> for i32 {
            fn from(h: &'a $name) -> i32 {
                h.0
            }
        }
        impl<'a> From<&'a mut $name> for i32 {
            fn from(h: &'a mut $name) -> i32 {
                h.0
            }
        }
    };
}

handle_type!(
    /// A request: 0 is the incoming one, others are created with `create`.
    RequestHandle
);
handle_type!(
    /// A response: 0 is the outgoing one, others come from upstreams.
    ResponseHandle
);
handle_type!(
    /// An outbound request in flight (`send_async`).
    PendingRequestHandle
);

impl RequestHandle {
    /// The request this instance was started for.
    pub const INCOMING: RequestHandle = RequestHandle(0);
    /// Sentinel for a failed call.
    pub const ERROR: RequestHandle = RequestHandle(-1);

    pub fn is_error(&self) -> bool {
        *self == RequestHandle::ERROR
    }
}

impl ResponseHandle {
    /// The response this instance sends back.
    pub const OUTGOING: ResponseHandle = ResponseHandle(0);
    /// Sentinel for a failed call.
    pub const ERROR: ResponseHandle = ResponseHandle(-1);
    /// `pending_req_poll`: the upstream has not answered yet.
    pub const NOT_READY: ResponseHandle = ResponseHandle(-2);

    pub fn is_error(&self) -> bool {
        *self == ResponseHandle::ERROR
    }

    pub fn is_not_ready(&self) -> bool {
        *self == ResponseHandle::NOT_READY
    }
}

impl PendingRequestHandle {
    /// Sentinel for a failed call.
    pub const ERROR: PendingRequestHandle = PendingRequestHandle(-1);

    pub fn is_error(&self) -> bool {
        *self == PendingRequestHandle::ERROR
    }
}

/// What `PendingRequestHandle::poll` found.
#[derive(Debug, PartialEq)]
pub enum PollResult {
    NotReady(PendingRequestHandle),
    Response(ResponseHandle),
    Error,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_is_ok_only_for_zero() {
        assert_eq!(HostcallStatus::from_raw(0), HostcallStatus::Ok);
        assert_eq!(HostcallStatus::from_raw(1), HostcallStatus::Invalid);
        assert_eq!(HostcallStatus::from_raw(-7), HostcallStatus::Invalid);
        assert_eq!(HostcallStatus::try_from_u8(2), None);
    }

    #[test]
    fn sentinels() {
        assert!(RequestHandle::from(-1).is_error() && !RequestHandle::INCOMING.is_error());
        assert!(ResponseHandle::from(-2).is_not_ready() && !ResponseHandle::from(3).is_error());
        assert!(PendingRequestHandle::from(-1).is_error());
        assert_eq!(i32::from(&PendingRequestHandle::from(5)), 5);
    }

    #[test]
    fn guest_slice_layout_is_two_u32_on_wasm32() {
        assert_eq!(mem::size_of::<GuestSlice<u8>>(), 2 * mem::size_of::<usize>());
        let empty: GuestSlice<u8> = GuestSlice::new(std::ptr::null(), 0);
        assert!(unsafe { empty.to_slice() }.is_empty());
    }
}

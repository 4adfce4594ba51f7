//! Random numbers from the host's CSPRNG.

use crate::hostcalls::raw::hostcall_rng_next_u64;

/// The guest's random number source. It has `RngCore`'s methods
/// (`next_u32`, `next_u64`, `fill_bytes`, `try_fill_bytes`) as inherent
/// methods: Debian packages no `rand_core` that matches Terrarium's 0.3.
#[derive(Clone, Debug)]
pub struct GuestRng {
    _private: (),
}

/// The RNG for this guest.
pub fn guest_rng() -> GuestRng {
    GuestRng { _private: () }
}

impl GuestRng {
    pub fn next_u32(&mut self) -> u32 {
        self.next_u64() as u32
    }

    pub fn next_u64(&mut self) -> u64 {
        unsafe { hostcall_rng_next_u64() }
    }

    pub fn fill_bytes(&mut self, dest: &mut [u8]) {
        for chunk in dest.chunks_mut(8) {
            let v = self.next_u64().to_le_bytes();
            chunk.copy_from_slice(&v[..chunk.len()]);
        }
    }

    pub fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), std::convert::Infallible> {
        self.fill_bytes(dest);
        Ok(())
    }
}

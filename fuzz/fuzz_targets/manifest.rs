//! Manifest loading never panics, hangs or blows up memory, whatever the bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = hubctl_spec::load_str(std::path::Path::new("fuzz.yaml"), text);
    }
});

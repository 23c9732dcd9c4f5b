//! The plugin size budget (PS-15): checked at install and at load.

use std::io::Write;

use flate2::Compression;
use flate2::write::GzEncoder;

/// Largest accepted component, uncompressed, in bytes (300 KB).
pub const MAX_PLUGIN_BYTES: u64 = 300_000;
/// Largest accepted component, gzip-compressed at level 9, in bytes (120 KB).
pub const MAX_PLUGIN_GZIP_BYTES: u64 = 120_000;

/// A component's measured size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SizeReport {
    /// Bytes on disk.
    pub size: u64,
    /// Bytes after gzip (level 9).
    pub gzipped: u64,
}

impl SizeReport {
    /// Whether both numbers are within the budget.
    pub fn within_budget(&self) -> bool {
        self.size <= MAX_PLUGIN_BYTES && self.gzipped <= MAX_PLUGIN_GZIP_BYTES
    }
}

/// Measure `bytes` (raw and gzipped).
pub fn check_size(bytes: &[u8]) -> SizeReport {
    let mut encoder = GzEncoder::new(CountingSink(0), Compression::best());
    // Writing into a counting sink cannot fail.
    let gzipped = match encoder.write_all(bytes).and_then(|()| encoder.finish()) {
        Ok(sink) => sink.0,
        Err(_) => u64::MAX,
    };
    SizeReport {
        size: bytes.len() as u64,
        gzipped,
    }
}

/// Counts bytes written, keeps none.
struct CountingSink(u64);

impl Write for CountingSink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0 += buf.len() as u64;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn budget_constants_are_the_documented_ones() {
        assert_eq!(MAX_PLUGIN_BYTES, 300_000);
        assert_eq!(MAX_PLUGIN_GZIP_BYTES, 120_000);
    }

    #[test]
    fn compressible_and_incompressible_inputs() {
        let zeros = check_size(&vec![0u8; 400_000]);
        assert_eq!(zeros.size, 400_000);
        assert!(zeros.gzipped < 2_000, "{zeros:?}");
        assert!(!zeros.within_budget(), "raw size alone is over");

        // xorshift noise does not compress: under 300 KB raw but over 120 KB gzipped.
        let mut x: u32 = 0x1234_5678;
        let noise: Vec<u8> = (0..200_000)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 17;
                x ^= x << 5;
                x as u8
            })
            .collect();
        let r = check_size(&noise);
        assert!(
            r.size <= MAX_PLUGIN_BYTES && r.gzipped > MAX_PLUGIN_GZIP_BYTES,
            "{r:?}"
        );
        assert!(!r.within_budget());
        assert!(check_size(b"small").within_budget());
    }
}

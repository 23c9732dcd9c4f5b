//! Archive builders for tests of installers (feature `testing`): in-memory `.zip` and
//! `.tar.gz` files with exactly the entries given, hostile names included, so a test can
//! serve what a malicious source would.

use std::io::Write;

/// A `.zip` holding `entries` (name, contents) in order. Names are written as given
/// (`../x`, `/etc/y`), which is the point.
///
/// # Panics
/// If the in-memory writer fails, which it does not for in-memory buffers.
pub fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut buf = std::io::Cursor::new(Vec::new());
    let mut w = zip::ZipWriter::new(&mut buf);
    for (name, data) in entries {
        w.start_file(*name, zip::write::SimpleFileOptions::default())
            .expect("zip entry");
        w.write_all(data).expect("zip data");
    }
    w.finish().expect("zip finish");
    buf.into_inner()
}

/// A `.tar.gz` holding `entries` (name, contents) as regular files with mode 0644.
///
/// # Panics
/// If the in-memory writer fails, which it does not for in-memory buffers.
pub fn tar_gz_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut raw = Vec::new();
    {
        let gz = flate2::write::GzEncoder::new(&mut raw, flate2::Compression::fast());
        let mut b = tar::Builder::new(gz);
        for (name, data) in entries {
            let mut h = tar::Header::new_gnu();
            h.set_size(data.len() as u64);
            h.set_mode(0o644);
            h.set_cksum();
            b.append_data(&mut h, name, *data).expect("tar entry");
        }
        b.into_inner()
            .expect("tar finish")
            .finish()
            .expect("gzip finish");
    }
    raw
}

//! Reading the files a command is given, with errors that name the file.

use std::io::Read;
use std::path::Path;

use kyso_core::digest::Hasher;
use kyso_core::DigestAlgorithm;

use crate::error::Error;

/// The whole file.
pub fn read(path: &Path) -> Result<Vec<u8>, Error> {
    std::fs::read(path).map_err(|e| Error::io(path, e))
}

/// The file's digest, streamed through the hasher so a large file takes
/// constant memory.
pub fn hash_file(path: &Path, alg: DigestAlgorithm) -> Result<Vec<u8>, Error> {
    let mut file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let mut hasher = Hasher::new(alg);
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = file.read(&mut buf).map_err(|e| Error::io(path, e))?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hasher.finalize())
}

//! Stream filters needed to read a file's structure: FlateDecode with PNG
//! and TIFF predictors (xref and object streams are always Flate in
//! practice). Content streams are compared as stored, never decoded.

use super::error::PdfError;
use super::object::{Dictionary, Object, Stream};

/// Decoded streams larger than this are refused: a bomb guard (structure
/// streams are kilobytes; 256 MiB is far above any real xref or object stream).
pub(crate) const MAX_DECODED: usize = 256 << 20;

/// How many bytes the structure streams of a file of `len` bytes may decode
/// to in all. Each stream is capped by [`MAX_DECODED`], but a small file can
/// hold many small bombs; real files decode to a few times their size.
pub(crate) fn total_budget(len: usize) -> usize {
    MAX_DECODED.max(len.saturating_mul(32))
}

/// The stream's data with its filters undone, refused when it would exceed
/// `limit` bytes (at most [`MAX_DECODED`]).
pub(crate) fn decode_with_limit(stream: &Stream, limit: usize) -> Result<Vec<u8>, PdfError> {
    let limit = limit.min(MAX_DECODED);
    let filters: Vec<&[u8]> = match stream.dict.get(b"Filter") {
        None => return Ok(stream.data.clone()),
        Some(Object::Name(n)) => vec![n],
        // A filter that is not a name cannot be undone, and skipping it
        // would hand back encoded bytes as if they were decoded.
        Some(Object::Array(a)) if a.len() <= 8 => a
            .iter()
            .map(Object::as_name)
            .collect::<Option<_>>()
            .ok_or_else(|| PdfError::Syntax("bad /Filter".into()))?,
        Some(_) => return Err(PdfError::Syntax("bad /Filter".into())),
    };
    let params: Vec<Option<&Dictionary>> = match stream.dict.get(b"DecodeParms") {
        Some(Object::Array(a)) => a.iter().map(Object::as_dict).collect(),
        Some(o) => vec![o.as_dict()],
        None => vec![],
    };
    if stream.data.len() > limit {
        return Err(too_large(limit));
    }
    let mut data = stream.data.clone();
    for (i, f) in filters.iter().enumerate() {
        data = match *f {
            b"FlateDecode" | b"Fl" => inflate(&data, limit)?,
            other => {
                return Err(PdfError::Unsupported(format!(
                    "stream filter {}",
                    String::from_utf8_lossy(other)
                )))
            }
        };
        if let Some(Some(p)) = params.get(i) {
            data = unpredict(data, p, limit)?;
        }
    }
    Ok(data)
}

fn too_large(limit: usize) -> PdfError {
    if limit < MAX_DECODED {
        // The file's budget, not this stream alone, ran out.
        return PdfError::Syntax("the file's streams decode to too much in all".into());
    }
    PdfError::Syntax(format!("stream decodes to more than {} MiB", limit >> 20))
}

/// zlib inflate, refused past `limit` bytes.
fn inflate(data: &[u8], limit: usize) -> Result<Vec<u8>, PdfError> {
    use miniz_oxide::inflate::{decompress_to_vec_zlib_with_limit, TINFLStatus};
    match decompress_to_vec_zlib_with_limit(data, limit) {
        Ok(v) => Ok(v),
        Err(e) if e.status == TINFLStatus::HasMoreOutput => Err(too_large(limit)),
        // A bad checksum or a stream cut short: keep what decoded, as
        // readers do. Anything else is garbage.
        Err(e)
            if matches!(
                e.status,
                TINFLStatus::Adler32Mismatch | TINFLStatus::FailedCannotMakeProgress
            ) && !e.output.is_empty() =>
        {
            Ok(e.output)
        }
        Err(e) => Err(PdfError::Syntax(format!(
            "bad Flate stream: {:?}",
            e.status
        ))),
    }
}

pub(crate) fn deflate(data: &[u8]) -> Vec<u8> {
    miniz_oxide::deflate::compress_to_vec_zlib(data, 6)
}

fn unpredict(data: Vec<u8>, params: &Dictionary, limit: usize) -> Result<Vec<u8>, PdfError> {
    let int = |k: &[u8], d: i64| params.get(k).and_then(Object::as_i64).unwrap_or(d);
    let predictor = int(b"Predictor", 1);
    if predictor < 10 {
        return if predictor <= 1 {
            Ok(data)
        } else {
            Err(PdfError::Unsupported(format!("predictor {predictor}")))
        };
    }
    let colors = int(b"Colors", 1);
    let bpc = int(b"BitsPerComponent", 8);
    let columns = int(b"Columns", 1);
    if !(1..=32).contains(&colors)
        || ![1, 2, 4, 8, 16].contains(&bpc)
        || !(1..=1 << 20).contains(&columns)
    {
        return Err(PdfError::Syntax("bad /DecodeParms".into()));
    }
    let bpp = ((colors * bpc + 7) / 8) as usize;
    let row = ((colors * bpc * columns + 7) / 8) as usize;
    if data.is_empty() {
        return Ok(data);
    }
    // Every row is stored with its tag byte, so a row longer than the data
    // is a made-up /Columns: padding it out would turn a few bytes into
    // up to 64 MiB.
    if row >= data.len() {
        return Err(PdfError::Syntax(
            "/DecodeParms rows are longer than the stream".into(),
        ));
    }
    if data.len() > limit {
        return Err(too_large(limit));
    }
    let mut out = Vec::with_capacity(data.len());
    let mut prev = vec![0u8; row];
    for chunk in data.chunks(row + 1) {
        let (&kind, bytes) = chunk.split_first().unwrap_or((&0, &[]));
        let mut cur = bytes.to_vec();
        cur.resize(row, 0);
        for i in 0..row {
            let left = if i >= bpp { cur[i - bpp] } else { 0 };
            let up = prev[i];
            let up_left = if i >= bpp { prev[i - bpp] } else { 0 };
            cur[i] = cur[i].wrapping_add(match kind {
                0 => 0,
                1 => left,
                2 => up,
                3 => ((u16::from(left) + u16::from(up)) / 2) as u8,
                4 => paeth(left, up, up_left),
                _ => return Err(PdfError::Syntax("bad PNG predictor row".into())),
            });
        }
        out.extend_from_slice(&cur);
        prev = cur;
    }
    Ok(out)
}

fn paeth(a: u8, b: u8, c: u8) -> u8 {
    let p = i16::from(a) + i16::from(b) - i16::from(c);
    let (pa, pb, pc) = (
        (p - i16::from(a)).abs(),
        (p - i16::from(b)).abs(),
        (p - i16::from(c)).abs(),
    );
    if pa <= pb && pa <= pc {
        a
    } else if pb <= pc {
        b
    } else {
        c
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The stream's data with its filters undone, at the largest limit.
    fn decode(stream: &Stream) -> Result<Vec<u8>, PdfError> {
        decode_with_limit(stream, MAX_DECODED)
    }

    #[test]
    fn flate_round_trip_and_png_up_predictor() {
        // Two rows of 3 columns with the Up filter (2): second row adds to the first.
        let raw = [2u8, 1, 2, 3, 2, 1, 1, 1];
        let stream = Stream {
            dict: Dictionary::new()
                .with(b"Filter", Object::name("FlateDecode"))
                .with(
                    b"DecodeParms",
                    Dictionary::new().with(b"Predictor", 12).with(b"Columns", 3),
                ),
            data: deflate(&raw),
        };
        assert_eq!(decode(&stream).unwrap(), vec![1, 2, 3, 2, 3, 4]);
    }

    #[test]
    fn garbage_and_unknown_filters_are_errors() {
        let garbage = Stream {
            dict: Dictionary::new().with(b"Filter", Object::name("FlateDecode")),
            data: b"not zlib at all".to_vec(),
        };
        assert!(decode(&garbage).is_err());
        let lzw = Stream {
            dict: Dictionary::new().with(b"Filter", Object::name("LZWDecode")),
            data: vec![],
        };
        assert!(matches!(decode(&lzw), Err(PdfError::Unsupported(_))));
        let not_a_name = Stream {
            dict: Dictionary::new().with(b"Filter", vec![Object::Integer(1)]),
            data: b"x".to_vec(),
        };
        assert!(decode(&not_a_name).is_err());
    }

    #[test]
    fn predictor_rows_cannot_outgrow_the_data() {
        // Three bytes with /Columns 2^20 would pad out to a 1 MiB row.
        let stream = Stream {
            dict: Dictionary::new()
                .with(b"Filter", Object::name("FlateDecode"))
                .with(
                    b"DecodeParms",
                    Dictionary::new()
                        .with(b"Predictor", 12)
                        .with(b"Columns", 1 << 20),
                ),
            data: deflate(&[2, 1, 2]),
        };
        assert!(decode(&stream).is_err());
    }

    #[test]
    fn the_limit_bounds_the_output() {
        let stream = Stream {
            dict: Dictionary::new().with(b"Filter", Object::name("FlateDecode")),
            data: deflate(&[0; 4096]),
        };
        assert_eq!(decode_with_limit(&stream, 4096).unwrap().len(), 4096);
        assert!(decode_with_limit(&stream, 4095).is_err());
        assert!(decode_with_limit(&stream, 0).is_err());
    }
}

//! Weight rows in a model file, packed: each row one base64 string of its
//! numbers' IEEE 754 bits (little-endian f64s), so that a model loads in a
//! fraction of the time that parsing as many decimal numbers takes, and every
//! weight reads back to the bit it was written as.
//!
//! Reading also takes the plain form of model format 1 (each row an array of
//! numbers), so older model files, and files edited by hand, still load.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use std::fmt;

use serde::de::{SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serializer};

/// Reads one row, packed (a string) or plain (an array of numbers), without
/// buffering it first.
struct RowVisitor;

impl<'de> Visitor<'de> for RowVisitor {
    type Value = Vec<f64>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a weight row: a packed (base64) string or an array of numbers")
    }

    fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<Vec<f64>, E> {
        unpack(text).map_err(E::custom)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<f64>, A::Error> {
        let mut row = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(w) = seq.next_element::<f64>()? {
            row.push(w);
        }
        Ok(row)
    }
}

/// One row, for [`RowsVisitor`].
struct Row(Vec<f64>);

impl<'de> Deserialize<'de> for Row {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Row, D::Error> {
        deserializer.deserialize_any(RowVisitor).map(Row)
    }
}

/// Packs one row.
pub fn pack(row: &[f64]) -> String {
    let mut bytes = Vec::with_capacity(row.len() * 8);
    for w in row {
        bytes.extend_from_slice(&w.to_le_bytes());
    }
    STANDARD.encode(bytes)
}

/// Characters of base64 decoded at a time: 4 characters carry 3 bytes, so 512
/// carry 384 bytes, 48 whole numbers. Decoding a row piece by piece through a
/// buffer on the stack writes each number straight into the row.
const CHUNK_CHARS: usize = 512;

/// Unpacks one row (an error says what is wrong with it).
pub fn unpack(text: &str) -> Result<Vec<f64>, String> {
    use base64::{DecodeError, DecodeSliceError};
    let mut row = Vec::with_capacity(text.len() / 4 * 3 / 8);
    let mut buffer = [0u8; CHUNK_CHARS / 4 * 3];
    let mut chunks = text.as_bytes().chunks(CHUNK_CHARS).enumerate().peekable();
    while let Some((piece, chunk)) = chunks.next() {
        let first = piece * CHUNK_CHARS;
        // Only the last piece may be short, or padded.
        if chunks.peek().is_some()
            && let Some(at) = chunk.iter().position(|&c| c == b'=')
        {
            return Err(format!(
                "a packed weight row is not valid base64 (padding at character {}, inside the row)",
                first + at
            ));
        }
        let n = STANDARD.decode_slice(chunk, &mut buffer).map_err(|e| {
            // Positions in the row, not in the piece.
            let problem = match e {
                DecodeSliceError::DecodeError(DecodeError::InvalidByte(at, byte)) => {
                    format!("byte {byte:#04x} at character {}", first + at)
                }
                DecodeSliceError::DecodeError(DecodeError::InvalidLastSymbol {
                    offset,
                    symbol,
                    ..
                }) => format!("last symbol {symbol:#04x} at character {}", first + offset),
                other => other.to_string(),
            };
            format!("a packed weight row is not valid base64 ({problem})")
        })?;
        if n % 8 != 0 {
            return Err(format!(
                "a packed weight row has {} bytes, not a whole number of 8-byte numbers",
                row.len() * 8 + n
            ));
        }
        row.extend(
            buffer[..n]
                .chunks_exact(8)
                .map(|b| f64::from_le_bytes(b.try_into().expect("8 bytes"))),
        );
    }
    Ok(row)
}

/// `#[serde(with = "packed")]` for `Vec<Vec<f64>>`: rows written packed.
pub fn serialize<S: Serializer>(rows: &[Vec<f64>], serializer: S) -> Result<S::Ok, S::Error> {
    serializer.collect_seq(rows.iter().map(|r| pack(r)))
}

/// Reads rows packed or plain.
pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<Vec<f64>>, D::Error> {
    Ok(Vec::<Row>::deserialize(deserializer)?
        .into_iter()
        .map(|Row(row)| row)
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq, serde::Serialize, Deserialize)]
    struct Holder {
        #[serde(with = "super")]
        rows: Vec<Vec<f64>>,
    }

    #[test]
    fn rows_read_back_to_the_bit() {
        let rows = vec![
            vec![0.1, -2.5e-300, 1.0 / 3.0, f64::MIN_POSITIVE, -0.0],
            vec![],
        ];
        let text = serde_json::to_string(&Holder { rows: rows.clone() }).unwrap();
        assert!(text.contains('"'), "{text}");
        let back: Holder = serde_json::from_str(&text).unwrap();
        assert_eq!(back.rows.len(), rows.len());
        for (a, b) in rows.iter().zip(&back.rows) {
            assert_eq!(a.len(), b.len());
            for (x, y) in a.iter().zip(b) {
                assert_eq!(x.to_bits(), y.to_bits());
            }
        }
    }

    #[test]
    fn long_rows_read_back_across_the_decoding_pieces() {
        // 1,001 numbers: 8,008 bytes, 10,680 characters, so 20 whole pieces
        // and a padded last one.
        for n in [47, 48, 49, 1001] {
            let row: Vec<f64> = (0..n).map(|i| (i as f64 - 500.0) / 7.0).collect();
            let back = unpack(&pack(&row)).unwrap();
            assert_eq!(back.len(), n);
            assert!(
                row.iter()
                    .zip(&back)
                    .all(|(a, b)| a.to_bits() == b.to_bits())
            );
        }
        // Padding may only end the row: "AA==" closing the first piece of 512
        // characters is padding inside it.
        let mut text = pack(&[1.0; 100]);
        text.replace_range(508..512, "AA==");
        let error = unpack(&text).unwrap_err();
        assert!(error.contains("padding at character 510"), "{error}");
        // A bad byte is placed in the row, not in its piece.
        let mut text = pack(&[1.0; 100]);
        text.replace_range(515..516, "!");
        let error = unpack(&text).unwrap_err();
        assert!(error.contains("0x21 at character 515"), "{error}");
    }

    #[test]
    fn plain_rows_of_format_1_still_read() {
        let back: Holder = serde_json::from_str(r#"{"rows": [[1.5, -2], [0]]}"#).unwrap();
        assert_eq!(back.rows, vec![vec![1.5, -2.0], vec![0.0]]);
    }

    #[test]
    fn bad_packed_rows_are_errors() {
        for text in [r#"{"rows": ["not base64!"]}"#, r#"{"rows": ["AAAA"]}"#] {
            assert!(serde_json::from_str::<Holder>(text).is_err(), "{text}");
        }
    }
}

//! The built-in model's compact form: the model file with its four large
//! arrays (the vocabulary's terms and document frequencies, the weight rows and
//! the theme rows) taken out of the JSON and stored as raw little-endian
//! numbers and one block of term bytes, so that one `score` with the built-in
//! model reads it without parsing megabytes of JSON and base64.
//!
//! `build.rs` writes it from `models/drafts.json` at build time ([`encode`]),
//! and the binary reads it back ([`decode`]) into the same [`ModelFile`] the
//! JSON gives, which is then checked like any other. This module is shared
//! with `build.rs` (included there by path), so it uses only `std`,
//! `serde_json` and `base64`.
//!
//! ```text
//! "DCMODELB"                      8 bytes
//! version                         u32 (1)
//! header length, header           u32, JSON: the model file with the four arrays empty
//! terms, rows, theme rows         3 x u32
//! term ends                       terms x u32: where each term's bytes end
//! term bytes length, term bytes   u32, UTF-8
//! document frequencies            terms x u32
//! weight rows                     rows x terms x f64
//! theme rows                      theme rows x terms x f64
//! ```
//!
//! [`ModelFile`]: crate::model::ModelFile

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::Value;

/// The first bytes of the compact form (a JSON model file cannot start so).
pub const MAGIC: &[u8; 8] = b"DCMODELB";
/// The layout's version.
pub const VERSION: u32 = 1;

/// The parts [`decode`] reads.
#[derive(Debug, PartialEq)]
pub struct Parts<'a> {
    /// The model file's JSON without the four arrays.
    pub header: &'a str,
    /// The terms, one after another, and where each ends (unchecked here:
    /// [`crate::text::Terms::from_parts`] checks them).
    pub term_text: &'a str,
    pub term_ends: Vec<usize>,
    pub doc_freq: Vec<usize>,
    pub weights: Vec<Vec<f64>>,
    pub theme_weights: Vec<Vec<f64>>,
}

/// Whether `bytes` are in the compact form (else they are a JSON model file).
pub fn is_compact(bytes: &[u8]) -> bool {
    bytes.starts_with(MAGIC)
}

/// Reads the compact form (`Err` says what is wrong; nothing here panics on
/// bad bytes).
pub fn decode(bytes: &[u8]) -> Result<Parts<'_>, String> {
    let mut r = Reader { bytes, at: 0 };
    if r.take(MAGIC.len())? != MAGIC {
        return Err("not a compact model (no DCMODELB at its start)".into());
    }
    let version = r.u32()?;
    if version != VERSION {
        return Err(format!(
            "compact model layout {version}, but this draftcheck reads {VERSION}"
        ));
    }
    let header_len = r.len()?;
    let header = std::str::from_utf8(r.take(header_len)?)
        .map_err(|e| format!("its header is not UTF-8 ({e})"))?;
    let n_terms = r.len()?;
    let n_rows = r.len()?;
    let n_theme_rows = r.len()?;
    if n_rows + n_theme_rows > header_len {
        // Each row belongs to a label or a theme the header names, in more
        // than a byte each; this bounds the rows even over no terms, where
        // they take no bytes at all.
        return Err(format!(
            "it has {} weight rows, more than its header of {header_len} bytes names",
            n_rows + n_theme_rows
        ));
    }
    let term_ends = r.lens(n_terms)?;
    let text_len = r.len()?;
    let term_text = std::str::from_utf8(r.take(text_len)?)
        .map_err(|e| format!("its terms are not UTF-8 ({e})"))?;
    let doc_freq = r.lens(n_terms)?;
    let weights = (0..n_rows)
        .map(|_| r.f64s(n_terms))
        .collect::<Result<_, _>>()?;
    let theme_weights = (0..n_theme_rows)
        .map(|_| r.f64s(n_terms))
        .collect::<Result<_, _>>()?;
    if r.at != bytes.len() {
        return Err(format!(
            "{} bytes follow the last theme row",
            bytes.len() - r.at
        ));
    }
    Ok(Parts {
        header,
        term_text,
        term_ends,
        doc_freq,
        weights,
        theme_weights,
    })
}

/// Bytes read in order.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        let end = self
            .at
            .checked_add(n)
            .filter(|&end| end <= self.bytes.len())
            .ok_or_else(|| {
                format!(
                    "it ends early: {n} bytes wanted at byte {} of {}",
                    self.at,
                    self.bytes.len()
                )
            })?;
        let piece = &self.bytes[self.at..end];
        self.at = end;
        Ok(piece)
    }

    /// `n` numbers of `width` bytes, checked against the bytes left before
    /// anything of that size is allocated.
    fn take_array(&mut self, n: usize, width: usize) -> Result<&'a [u8], String> {
        let bytes = n
            .checked_mul(width)
            .ok_or_else(|| format!("an array of {n} numbers is too large"))?;
        self.take(bytes)
    }

    /// `n` lengths or counts (u32 each).
    fn lens(&mut self, n: usize) -> Result<Vec<usize>, String> {
        Ok(self
            .take_array(n, 4)?
            .chunks_exact(4)
            .map(|b| u32::from_le_bytes(b.try_into().expect("4 bytes")) as usize)
            .collect())
    }

    /// `n` numbers (f64 each).
    fn f64s(&mut self, n: usize) -> Result<Vec<f64>, String> {
        Ok(self
            .take_array(n, 8)?
            .chunks_exact(8)
            .map(|b| f64::from_le_bytes(b.try_into().expect("8 bytes")))
            .collect())
    }

    fn u32(&mut self) -> Result<u32, String> {
        Ok(u32::from_le_bytes(
            self.take(4)?.try_into().expect("4 bytes"),
        ))
    }

    fn len(&mut self) -> Result<usize, String> {
        Ok(self.u32()? as usize)
    }
}

/// Writes a model file (its JSON, as [`crate::model::ModelFile::save`]
/// writes it, packed rows or plain) in the compact form.
pub fn encode(json: &[u8]) -> Result<Vec<u8>, String> {
    let text = json.strip_prefix(b"\xef\xbb\xbf").unwrap_or(json);
    let mut model: Value =
        serde_json::from_slice(text).map_err(|e| format!("not valid JSON: {e}"))?;
    let mut out = Vec::new();
    let terms = take_array(&mut model, &["vocabulary", "terms"])?;
    let doc_freq = take_array(&mut model, &["vocabulary", "doc_freq"])?;
    let weights = take_array(&mut model, &["weights"])?;
    let theme_weights = if model.get("themes").is_some_and(|t| !t.is_null()) {
        take_array(&mut model, &["themes", "weights"])?
    } else {
        Vec::new()
    };
    if doc_freq.len() != terms.len() {
        // The JSON path says so more clearly: let it.
        return Err(format!(
            "{} terms but {} document frequencies",
            terms.len(),
            doc_freq.len()
        ));
    }
    let header = serde_json::to_vec(&model).map_err(|e| e.to_string())?;
    out.extend_from_slice(MAGIC);
    put_u32(&mut out, VERSION as usize)?;
    put_u32(&mut out, header.len())?;
    out.extend_from_slice(&header);
    for n in [terms.len(), weights.len(), theme_weights.len()] {
        put_u32(&mut out, n)?;
    }
    let mut text = String::new();
    for term in &terms {
        text.push_str(term.as_str().ok_or("a vocabulary term is not a string")?);
        put_u32(&mut out, text.len())?;
    }
    put_u32(&mut out, text.len())?;
    out.extend_from_slice(text.as_bytes());
    for df in &doc_freq {
        let df = df.as_u64().ok_or("a document frequency is not a count")?;
        put_u32(&mut out, usize::try_from(df).map_err(|e| e.to_string())?)?;
    }
    for row in weights.iter().chain(&theme_weights) {
        let bytes = row_bytes(row)?;
        if bytes.len() != terms.len() * 8 {
            return Err(format!(
                "a weight row has {} values but the vocabulary has {} terms",
                bytes.len() / 8,
                terms.len()
            ));
        }
        out.extend_from_slice(&bytes);
    }
    Ok(out)
}

/// Takes the array at `path` out of `model`, leaving an empty one.
fn take_array(model: &mut Value, path: &[&str]) -> Result<Vec<Value>, String> {
    let mut at = &mut *model;
    for key in path {
        at = at
            .get_mut(*key)
            .ok_or_else(|| format!("the model has no {}", path.join(".")))?;
    }
    match at.take() {
        Value::Array(items) => {
            *at = Value::Array(Vec::new());
            Ok(items)
        }
        _ => Err(format!("{} is not an array", path.join("."))),
    }
}

/// A weight row's little-endian bytes: packed (base64 of exactly those) or
/// plain numbers.
fn row_bytes(row: &Value) -> Result<Vec<u8>, String> {
    match row {
        Value::String(packed) => STANDARD
            .decode(packed)
            .map_err(|e| format!("a packed weight row is not valid base64 ({e})")),
        Value::Array(numbers) => numbers
            .iter()
            .map(|n| n.as_f64().map(f64::to_le_bytes))
            .collect::<Option<Vec<_>>>()
            .map(|b| b.concat())
            .ok_or_else(|| "a weight is not a number".to_string()),
        _ => Err("a weight row is neither packed nor a list of numbers".into()),
    }
}

fn put_u32(out: &mut Vec<u8>, n: usize) -> Result<(), String> {
    let n = u32::try_from(n).map_err(|_| format!("{n} does not fit the compact form's u32"))?;
    out.extend_from_slice(&n.to_le_bytes());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ModelFile;
    use std::path::Path;

    fn bundled() -> Vec<u8> {
        std::fs::read("models/drafts.json").expect("the bundled model is committed")
    }

    #[test]
    fn the_compact_form_reads_back_to_the_same_model_file() {
        let json = bundled();
        let compact = encode(&json).unwrap();
        assert!(is_compact(&compact) && !is_compact(&json));
        assert!(compact.len() < json.len());
        let from_json = ModelFile::from_slice(Path::new("m.json"), &json).unwrap();
        let from_compact = ModelFile::from_compact(Path::new("m.bin"), &compact).unwrap();
        assert!(from_json.themes.is_some(), "the bundled model has themes");
        // Equal to the bit: the rows are the packed rows' own bytes.
        assert!(from_json == from_compact);
        let bits = |m: &ModelFile| -> Vec<u64> {
            m.weights.iter().flatten().map(|w| w.to_bits()).collect()
        };
        assert_eq!(bits(&from_json), bits(&from_compact));
    }

    #[test]
    fn plain_rows_encode_as_packed_ones_do() {
        let json = bundled();
        let mut model: Value = serde_json::from_slice(&json).unwrap();
        let plain = |rows: &mut Value| {
            for row in rows.as_array_mut().unwrap() {
                let bytes = STANDARD.decode(row.as_str().unwrap()).unwrap();
                *row = bytes
                    .chunks_exact(8)
                    .map(|b| f64::from_le_bytes(b.try_into().unwrap()))
                    .collect::<Vec<f64>>()
                    .into();
            }
        };
        plain(&mut model["weights"]);
        plain(&mut model["themes"]["weights"]);
        let plain_json = serde_json::to_vec(&model).unwrap();
        assert_eq!(
            decode(&encode(&plain_json).unwrap()).unwrap(),
            decode(&encode(&json).unwrap()).unwrap()
        );
    }

    #[test]
    fn damaged_compact_bytes_are_errors_not_panics() {
        let compact = encode(&bundled()).unwrap();
        // Cut anywhere: within the counts, the header, the terms, the rows.
        let step = compact.len() / 200;
        for len in (0..64)
            .chain((0..compact.len()).step_by(step))
            .chain([compact.len() - 1])
        {
            let error = decode(&compact[..len]).unwrap_err();
            assert!(
                error.contains("ends early") || error.contains("not a compact model"),
                "{len}: {error}"
            );
        }
        let mut longer = compact.clone();
        longer.push(0);
        assert!(decode(&longer).unwrap_err().contains("1 bytes follow"));
        // A term count far beyond the bytes is refused before any allocation.
        let header_len = u32::from_le_bytes(compact[12..16].try_into().unwrap()) as usize;
        let mut huge = compact.clone();
        huge[16 + header_len..20 + header_len].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(decode(&huge).unwrap_err().contains("ends early"));
        // A term that ends past the terms' text.
        let ends = 28 + header_len;
        let mut bad = compact.clone();
        bad[ends..ends + 4].copy_from_slice(&u32::MAX.to_le_bytes());
        let error = ModelFile::from_compact(Path::new("m.bin"), &bad)
            .unwrap_err()
            .to_string();
        assert!(error.contains("term 0 has bad bounds"), "{error}");
        // Weights that are not finite are caught by the model file's own checks.
        let mut nan = compact.clone();
        let at = nan.len() - 8;
        nan[at..].copy_from_slice(&f64::NAN.to_le_bytes());
        let error = ModelFile::from_compact(Path::new("m.bin"), &nan)
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("m.bin") && error.contains("not a finite number"),
            "{error}"
        );
        // Rows over no terms would take no bytes at all.
        let mut empty = MAGIC.to_vec();
        for n in [VERSION, 2, 0, 0, u32::MAX, 0] {
            empty.extend_from_slice(&n.to_le_bytes());
        }
        empty.splice(16..16, *b"{}");
        assert!(
            decode(&empty)
                .unwrap_err()
                .contains("more than its header of 2 bytes")
        );
        // Rows over no terms are a model that decodes (its checks come after).
        let mut no_terms = MAGIC.to_vec();
        for n in [VERSION, 2, 0, 1, 0, 0] {
            no_terms.extend_from_slice(&n.to_le_bytes());
        }
        no_terms.splice(16..16, *b"{}");
        let parts = decode(&no_terms).unwrap();
        assert_eq!(parts.weights, vec![Vec::<f64>::new()]);
        let mut version = compact;
        version[8] = 9;
        assert!(decode(&version).unwrap_err().contains("layout 9"));
    }

    #[test]
    fn what_is_not_a_model_does_not_encode() {
        assert!(encode(b"{").unwrap_err().contains("not valid JSON"));
        assert!(
            encode(b"{\"weights\": []}")
                .unwrap_err()
                .contains("vocabulary.terms")
        );
        let mismatch = br#"{"vocabulary": {"terms": ["a"], "doc_freq": []}, "weights": []}"#;
        assert!(
            encode(mismatch)
                .unwrap_err()
                .contains("1 terms but 0 document")
        );
    }
}

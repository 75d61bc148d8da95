//! A vocabulary's terms, kept as one block of text and where each term ends,
//! instead of one allocation per term: a model of 57,000 terms then loads,
//! and is dropped, without 57,000 small allocations (most of what one `score`
//! spent on the vocabulary). In a model file it is a plain list of strings.

use std::fmt;
use std::ops::Index;

use serde::de::{DeserializeSeed, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Terms in feature-index order.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Terms {
    text: String,
    /// `ends[i]` is where term `i` ends in `text` (it starts where `i - 1` ends).
    ends: Vec<usize>,
}

impl Terms {
    pub fn new() -> Self {
        Terms::default()
    }

    /// Terms from one block of text and where each ends (`Err` when an end
    /// goes backwards, past the text or inside a character, or the last end
    /// is not the end of the text).
    pub fn from_parts(text: String, ends: Vec<usize>) -> Result<Self, String> {
        let mut start = 0;
        for (i, &end) in ends.iter().enumerate() {
            if end < start || text.get(start..end).is_none() {
                return Err(format!("term {i} has bad bounds {start}..{end}"));
            }
            start = end;
        }
        if start != text.len() {
            return Err(format!(
                "the terms end at byte {start} of {} bytes of text",
                text.len()
            ));
        }
        Ok(Terms { text, ends })
    }

    pub fn push(&mut self, term: &str) {
        self.text.push_str(term);
        self.ends.push(self.text.len());
    }

    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// Term `i` (panics past the end, like a slice).
    pub fn get(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.text[start..self.ends[i]]
    }

    pub fn iter(&self) -> impl ExactSizeIterator<Item = &str> + DoubleEndedIterator + '_ {
        (0..self.len()).map(|i| self.get(i))
    }

    /// Where `term` is, or would be, in sorted terms (as `slice::binary_search`).
    pub fn binary_search(&self, term: &str) -> Result<usize, usize> {
        let (mut low, mut high) = (0, self.len());
        while low < high {
            let mid = low + (high - low) / 2;
            match self.get(mid).cmp(term) {
                std::cmp::Ordering::Less => low = mid + 1,
                std::cmp::Ordering::Greater => high = mid,
                std::cmp::Ordering::Equal => return Ok(mid),
            }
        }
        Err(low)
    }

    /// Whether each term sorts strictly after the one before (sorted, unique).
    pub fn is_sorted_unique(&self) -> bool {
        let bytes = self.text.as_bytes();
        let mut start = 0;
        self.ends.windows(2).all(|w| {
            // Byte order is the strings' order (UTF-8 keeps code point order).
            let sorted = bytes[start..w[0]] < bytes[w[0]..w[1]];
            start = w[0];
            sorted
        })
    }

    pub fn to_vec(&self) -> Vec<String> {
        self.iter().map(str::to_string).collect()
    }
}

impl Index<usize> for Terms {
    type Output = str;

    fn index(&self, i: usize) -> &str {
        self.get(i)
    }
}

impl<S: AsRef<str>> FromIterator<S> for Terms {
    fn from_iter<I: IntoIterator<Item = S>>(items: I) -> Self {
        let mut terms = Terms::new();
        for term in items {
            terms.push(term.as_ref());
        }
        terms
    }
}

impl fmt::Debug for Terms {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl<const N: usize> PartialEq<[&str; N]> for Terms {
    fn eq(&self, other: &[&str; N]) -> bool {
        self.iter().eq(other.iter().copied())
    }
}

impl Serialize for Terms {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.iter())
    }
}

/// Reads a list of strings straight into the block.
struct TermsVisitor;

impl<'de> Visitor<'de> for TermsVisitor {
    type Value = Terms;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of terms (strings)")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Terms, A::Error> {
        let mut terms = Terms::new();
        while seq.next_element_seed(Append(&mut terms))?.is_some() {}
        Ok(terms)
    }
}

/// One term, appended as it is read (no string of its own).
struct Append<'a>(&'a mut Terms);

impl<'de> DeserializeSeed<'de> for Append<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for Append<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a term (a string)")
    }

    fn visit_str<E: serde::de::Error>(self, term: &str) -> Result<(), E> {
        self.0.push(term);
        Ok(())
    }
}

impl<'de> Deserialize<'de> for Terms {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Terms, D::Error> {
        deserializer.deserialize_seq(TermsVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terms_read_back_by_index_search_and_serde() {
        let terms: Terms = ["", "\"q\"", "a", "b c", "é"].into_iter().collect();
        assert_eq!(terms.len(), 5);
        assert_eq!(&terms[3], "b c");
        assert_eq!(terms.get(0), "");
        assert_eq!(terms, ["", "\"q\"", "a", "b c", "é"]);
        assert!(terms.is_sorted_unique());
        for (i, t) in terms.iter().enumerate() {
            assert_eq!(terms.binary_search(t), Ok(i));
        }
        assert_eq!(terms.binary_search("b"), Err(3));
        assert_eq!(terms.binary_search("zz"), Err(4));
        assert_eq!(terms.binary_search("ф"), Err(5));
        let json = serde_json::to_string(&terms).unwrap();
        assert_eq!(json, r#"["","\"q\"","a","b c","é"]"#);
        let back: Terms = serde_json::from_str(&json).unwrap();
        assert_eq!(back, terms);
        assert_eq!(format!("{back:?}"), r#"["", "\"q\"", "a", "b c", "é"]"#);
        assert!(serde_json::from_str::<Terms>("[1]").is_err());
        assert!(serde_json::from_str::<Terms>(r#""a""#).is_err());
        for bad in [
            ["b", "a", "c"],
            ["a", "c", "b"],
            ["a", "b", "b"],
            ["a", "a", "b"],
            ["ab", "a", "b"],
        ] {
            let terms: Terms = bad.into_iter().collect();
            assert!(!terms.is_sorted_unique(), "{bad:?}");
        }
        let prefixes: Terms = ["a", "ab", "abc", "b"].into_iter().collect();
        assert!(prefixes.is_sorted_unique());
    }

    #[test]
    fn parts_are_checked() {
        let ok = Terms::from_parts("abé".into(), vec![1, 4]).unwrap();
        assert_eq!(ok, ["a", "bé"]);
        for (ends, problem) in [
            (vec![2, 1], "term 1 has bad bounds 2..1"),
            (vec![3], "term 0 has bad bounds 0..3"), // inside "é"
            (vec![9], "term 0 has bad bounds 0..9"),
            (vec![1], "end at byte 1 of 4"),
        ] {
            let error = Terms::from_parts("abé".into(), ends).unwrap_err();
            assert!(error.contains(problem), "{error}");
        }
    }
}

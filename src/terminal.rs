//! Draft text made safe to print on a terminal.
//!
//! A draft is untrusted: pasted from anywhere, or read from someone else's CSV.
//! Printed as it is, an escape sequence in it would drive the reader's terminal
//! (clear the screen, set the window title, write the clipboard, hide text), a
//! carriage return would overwrite the line it is on, and a bidirectional
//! override would show its words in another order than they are scored in.
//! The text views (`score`, `audit`, `suggest`, `label`) print drafts through
//! [`terminal_safe`]; JSON escapes such characters itself, and CSV and HTML have
//! their own escaping.

use std::borrow::Cow;

/// Whether `c` could drive a terminal or reorder what it shows: C0 controls
/// but tab and newline, DEL, C1 controls, and the bidirectional embedding,
/// override, isolate and mark characters.
pub fn unsafe_on_a_terminal(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(
            c,
            '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
        )
}

/// `text` with every character that could drive a terminal (see
/// [`unsafe_on_a_terminal`]) replaced by a visible one of the same UTF-8
/// length: `?` for one byte, `¿` for two, `�` for three. Byte offsets into
/// the text (the spans of terms and sentences) stay where they were, so a
/// view can slice the safe text with the spans of the draft it scored.
pub fn terminal_safe(text: &str) -> Cow<'_, str> {
    if !text.chars().any(unsafe_on_a_terminal) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.chars()
            .map(|c| {
                if !unsafe_on_a_terminal(c) {
                    return c;
                }
                match c.len_utf8() {
                    1 => '?',
                    2 => '¿',
                    _ => '\u{FFFD}',
                }
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_overrides_become_visible_with_the_same_byte_offsets() {
        let draft = "call me\x1b]0;title\x07 now\r\n\u{202E}evil\u{2066} \u{85}ok\tyes";
        let safe = terminal_safe(draft);
        assert_eq!(safe.len(), draft.len());
        assert_eq!(
            safe,
            "call me?]0;title? now?\n\u{FFFD}evil\u{FFFD} ¿ok\tyes"
        );
        // Every character boundary of the draft is one of the safe text.
        for (i, _) in draft.char_indices() {
            assert!(safe.is_char_boundary(i), "{i}");
        }
        assert!(matches!(
            terminal_safe("plain, café 🥺\n"),
            Cow::Borrowed(_)
        ));
    }
}

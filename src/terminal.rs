//! Draft text made safe to print on a terminal.
//!
//! A draft is untrusted: pasted from anywhere, or read from someone else's CSV.
//! Printed as it is, an escape sequence in it would drive the reader's terminal
//! (clear the screen, set the window title, write the clipboard, hide text), a
//! carriage return would overwrite the line it is on, and a bidirectional
//! override would show its words in another order than they are scored in.
//! The text views (`score`, `audit`, `suggest`, `label`) print drafts through
//! [`terminal_safe`]. JSON and CSV keep the text as written, for programs
//! (JSON escapes the C0 controls only); HTML has its own escaping.

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

/// What is wrong with `name` as a label (or a theme's name), if anything: a
/// label is printed on one line of every view, so it may hold no character
/// that could drive a terminal, and no tab or line break either.
pub fn name_problem(name: &str) -> Option<String> {
    name.chars()
        .find(|&c| unsafe_on_a_terminal(c) || c == '\n' || c == '\t')
        .map(|c| {
            format!(
                "holds a control or bidirectional-formatting character (U+{:04X})",
                c as u32
            )
        })
}

/// `text` with every character that could drive a terminal (see
/// [`unsafe_on_a_terminal`]) replaced by one of the same UTF-8 length: the
/// spacing controls (carriage return, vertical tab, form feed, next line) by
/// a space or a no-break space, which the views fold as they fold any spacing
/// (a CRLF draft reads as it did); the others by a visible `?` for one byte,
/// `¿` for two, `�` for three. Byte offsets into the text (the spans of
/// terms and sentences) stay where they were, so a view can slice the safe
/// text with the spans of the draft it scored.
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
                match c {
                    '\r' | '\u{b}' | '\u{c}' => return ' ',
                    '\u{85}' => return '\u{a0}',
                    _ => {}
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
        let draft = "call me\x1b]0;title\x07 now\r\n\u{202E}evil\u{2066} \u{85}ok\tyes\u{9b}2J\x7f";
        let safe = terminal_safe(draft);
        assert_eq!(safe.len(), draft.len());
        assert_eq!(
            safe,
            "call me?]0;title? now \n\u{FFFD}evil\u{FFFD} \u{a0}ok\tyes¿2J?"
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

//! Everything the CLI prints, on standard output (`outln!`, `out!`) and standard error
//! (`errln!`), and the one rule that makes it safe for a terminal.
//!
//! Safe for a terminal: names, labels and values come from pulled repositories, EC2 tags and
//! hand-edited files, and a name holding `ESC ]0;...BEL` or `ESC [2J` would retitle or clear
//! the terminal it is printed on. Every character that acts on a terminal instead of showing
//! (C0 controls but newline and tab, DEL, C1 controls, and the bidi embeddings, overrides and
//! isolates that reorder what is shown) is written as `\uXXXX`:
//! - visible, and it says which character is there, so the user can find and rename the item;
//! - plain ASCII, which every terminal shows as it is;
//! - the escape JSON uses, so `--json` output stays valid JSON that decodes to the same text
//!   (serde_json writes C1 and bidi characters raw; U+FFFD would change them, `\u{1b}` would
//!   not parse). Every such character is in the Basic Multilingual Plane: four digits suffice.
//!
//! The CLI colors nothing and writes no escape sequence of its own, so there is nothing the
//! rule has to let through. (clap's help and usage errors, colored or not, go to the terminal
//! by clap's own writer, not through here.)
//!
//! Standard output also copes with its reader going away (`poni list | head`), where
//! `println!` would panic: the rest of the output is dropped, and the command carries on to
//! its end and its own exit status (an import still imports, a diff still reports drift).

use std::fmt;
use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, Ordering};

/// No more output: its reader has gone, or writing it failed.
static STOPPED: AtomicBool = AtomicBool::new(false);
/// Writing failed other than by the reader going away (a full disk, say).
static FAILED: AtomicBool = AtomicBool::new(false);

/// Standard output, made safe for a terminal.
pub fn write(args: fmt::Arguments<'_>) {
    if STOPPED.load(Ordering::Relaxed) {
        return;
    }
    if let Err(e) = write_safe(&mut io::stdout().lock(), args) {
        STOPPED.store(true, Ordering::Relaxed);
        // A reader that has all it wanted is not a failure.
        if e.kind() != io::ErrorKind::BrokenPipe {
            write_err(format_args!("error: cannot write the output: {e}\n"));
            FAILED.store(true, Ordering::Relaxed);
        }
    }
}

/// Standard error (errors, warnings, log lines), made safe for a terminal. A failure to write
/// there has nowhere to be reported, so it is ignored (where `eprintln!` would panic).
pub fn write_err(args: fmt::Arguments<'_>) {
    let _ = write_safe(&mut io::stderr().lock(), args);
}

/// Whether some output could not be written (not counting a reader that went away).
pub fn failed() -> bool {
    FAILED.load(Ordering::Relaxed)
}

/// Whether a character acts on a terminal instead of showing: a control character (C0 but
/// newline and tab, DEL, C1, whose 0x9B is a one-byte CSI on some terminals) or a bidi
/// embedding, override or isolate, which makes the terminal show text in another order
/// than it is (a name that reads as another).
pub fn acts_on_terminal(c: char) -> bool {
    match c {
        '\n' | '\t' => false,
        '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' => true,
        c => c.is_control(),
    }
}

/// Formats `args` into `out`, each character that acts on a terminal written as `\uXXXX`.
/// Text without one is written as it is formatted, with no copy.
fn write_safe(out: &mut impl Write, args: fmt::Arguments<'_>) -> io::Result<()> {
    let mut safe = SafeWriter { out, error: None };
    match fmt::write(&mut safe, args) {
        Ok(()) => Ok(()),
        // A Display impl may fail by itself, with no I/O error behind it.
        Err(fmt::Error) => Err(safe.error.unwrap_or_else(|| io::Error::other("formatting failed"))),
    }
}

/// A `fmt::Write` over an `io::Write` that escapes as it goes, keeping the I/O error that
/// `fmt` can only report as `fmt::Error`.
struct SafeWriter<'a, W> {
    out: &'a mut W,
    error: Option<io::Error>,
}

impl<W: Write> fmt::Write for SafeWriter<'_, W> {
    fn write_str(&mut self, text: &str) -> fmt::Result {
        let written = for_each_safe_piece(text, |piece| self.out.write_all(piece.as_bytes()));
        written.map_err(|e| {
            self.error = Some(e);
            fmt::Error
        })
    }
}

/// Calls `emit` with `text` in order: the runs of characters that show as they are, and the
/// escape of each one that would act on a terminal.
fn for_each_safe_piece<E>(text: &str, mut emit: impl FnMut(&str) -> Result<(), E>) -> Result<(), E> {
    let mut rest = text;
    while let Some((at, c)) = first_acting(rest) {
        emit(&rest[..at])?;
        // Allocates, but only for a character that should never be there.
        emit(&format!("\\u{:04x}", c as u32))?;
        rest = &rest[at + c.len_utf8()..];
    }
    if rest.is_empty() {
        return Ok(());
    }
    emit(rest)
}

/// The first character of `text` that acts on a terminal, and where it is. Scans bytes, as
/// `poni list` prints thousands of lines: every such character starts with a byte below 0x20,
/// 0x7F, 0xC2 (C1 is U+0080..U+009F, `C2 80`..`C2 9F`) or 0xE2 (the bidi characters are
/// `E2 80 AA`..`E2 80 AE` and `E2 81 A6`..`E2 81 A9`); only those few are decoded. Each is
/// ASCII or a lead byte, so it starts a character.
fn first_acting(text: &str) -> Option<(usize, char)> {
    text.bytes()
        .enumerate()
        .filter(|&(_, b)| b < 0x20 || b == 0x7f || b == 0xc2 || b == 0xe2)
        .filter_map(|(at, _)| Some((at, text[at..].chars().next()?)))
        .find(|&(_, c)| acts_on_terminal(c))
}

/// `println!` through [`write`].
macro_rules! outln {
    ($($arg:tt)*) => {
        $crate::output::write(format_args!("{}\n", format_args!($($arg)*)))
    };
}

/// `print!` through [`write`].
macro_rules! out {
    ($($arg:tt)*) => {
        $crate::output::write(format_args!($($arg)*))
    };
}

/// `eprintln!` through [`write_err`]: every line the CLI writes to standard error.
macro_rules! errln {
    ($($arg:tt)*) => {
        $crate::output::write_err(format_args!("{}\n", format_args!($($arg)*)))
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(args: fmt::Arguments<'_>) -> String {
        let mut out = Vec::new();
        write_safe(&mut out, args).unwrap();
        String::from_utf8(out).unwrap()
    }

    fn shown_str(text: &str) -> String {
        shown(format_args!("{text}"))
    }

    #[test]
    fn escape_sequences_are_shown_not_run() {
        assert_eq!(shown_str("a\u{1b}]0;pwned\u{7}b"), "a\\u001b]0;pwned\\u0007b");
        assert_eq!(shown_str("\u{1b}[2J\u{1b}[H"), "\\u001b[2J\\u001b[H");
        assert_eq!(shown_str("over\rwrite\u{8}\u{7f}\0"), "over\\u000dwrite\\u0008\\u007f\\u0000");
    }

    #[test]
    fn c1_controls_are_shown() {
        // U+009B is CSI in one byte; U+0085 is NEL; U+009D is OSC.
        assert_eq!(shown_str("a\u{9b}2Jb\u{85}c\u{9d}0;t\u{9c}"), "a\\u009b2Jb\\u0085c\\u009d0;t\\u009c");
        assert_eq!(shown_str("\u{80}\u{9f}"), "\\u0080\\u009f");
    }

    #[test]
    fn bidi_controls_are_shown() {
        assert_eq!(shown_str("evil\u{202e}txt.exe"), "evil\\u202etxt.exe");
        assert_eq!(shown_str("\u{202a}\u{202b}\u{202c}\u{202d}"), "\\u202a\\u202b\\u202c\\u202d");
        assert_eq!(shown_str("\u{2066}a\u{2067}b\u{2068}c\u{2069}"), "\\u2066a\\u2067b\\u2068c\\u2069");
    }

    #[test]
    fn ordinary_text_is_untouched() {
        for text in [
            "      node web/app01 <= drumbo1\n      prop     host:'app01.example'\n",
            "café naïve Ærø ß 東京 日本語 한국어 Ελληνικά עברית العربية 🚀 — … ‘x’ “y” ¡ « » ¢ ©",
            // Characters next to the escaped ranges, sharing their lead bytes (C2, E2).
            "\u{a0}\u{a9}\u{bf} \u{2010}\u{2019}\u{2026}\u{2029}\u{202f}\u{2065}\u{206a}\u{20ac}\u{2122}",
            "",
        ] {
            assert_eq!(shown_str(text), text);
        }
    }

    #[test]
    fn newline_and_tab_are_kept() {
        assert_eq!(shown_str("a\tb\nc\n"), "a\tb\nc\n");
        assert_eq!(shown(format_args!("{}\n", format_args!("{}:\t{}", "k", "v"))), "k:\tv\n");
    }

    #[test]
    fn formatted_arguments_are_escaped_and_the_rest_kept() {
        let name = "web/\u{1b}[31mred";
        assert_eq!(shown(format_args!("{:>10} {name} <= {}\n", "node", "p\u{7}")), "      node web/\\u001b[31mred <= p\\u0007\n");
    }

    #[test]
    fn json_output_stays_valid_and_decodes_to_the_same_text() {
        let value = serde_json::json!({"name": "a\u{1b}b\u{85}c\u{202e}d\\u001b"});
        let text = shown_str(&serde_json::to_string(&value).unwrap());
        assert!(!text.chars().any(acts_on_terminal), "{text}");
        assert_eq!(serde_json::from_str::<serde_json::Value>(&text).unwrap(), value);
    }

    #[test]
    fn write_errors_are_kept() {
        struct Full;
        impl Write for Full {
            fn write(&mut self, _: &[u8]) -> io::Result<usize> {
                Err(io::Error::new(io::ErrorKind::BrokenPipe, "gone"))
            }
            fn flush(&mut self) -> io::Result<()> {
                Ok(())
            }
        }
        assert_eq!(write_safe(&mut Full, format_args!("x\u{1b}")).unwrap_err().kind(), io::ErrorKind::BrokenPipe);
    }
}

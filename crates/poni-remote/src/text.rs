//! Output that arrives in chunks, made text: a character cut between two chunks waits for
//! its end instead of becoming two U+FFFD. One rule for the app's run grid and the command line.

/// Takes the text from the front of `buffer` up to a character cut off at its end (kept for
/// the next chunk). Invalid bytes become U+FFFD.
pub fn complete_utf8(buffer: &mut Vec<u8>) -> String {
    let keep_from = buffer.len() - cut_tail(buffer);
    let rest = buffer.split_off(keep_from);
    let text = String::from_utf8_lossy(buffer).into_owned();
    *buffer = rest;
    text
}

/// How many bytes at the end start a character that is not complete yet (0 to 3).
fn cut_tail(bytes: &[u8]) -> usize {
    for back in 1..=bytes.len().min(3) {
        let byte = bytes[bytes.len() - back];
        if byte & 0b1100_0000 == 0b1000_0000 {
            continue; // a continuation byte: look further back for the lead
        }
        let needs = match byte {
            0xC2..=0xDF => 2,
            0xE0..=0xEF => 3,
            0xF0..=0xF4 => 4,
            _ => return 0, // ASCII or an invalid lead: nothing is waiting
        };
        return if needs > back { back } else { 0 };
    }
    0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_character_split_across_chunks_waits_for_its_end() {
        let mut buffer = "é".as_bytes()[..1].to_vec();
        assert_eq!(complete_utf8(&mut buffer), "");
        buffer.extend_from_slice(&"é!".as_bytes()[1..]);
        assert_eq!(complete_utf8(&mut buffer), "é!");
        assert!(buffer.is_empty());
        let mut bad = vec![0xff, b'a'];
        assert_eq!(complete_utf8(&mut bad), "\u{fffd}a");
        // An invalid byte earlier does not make a cut character at the end lost.
        let mut mixed = vec![0xff, b'x', 0xE2, 0x82];
        assert_eq!(complete_utf8(&mut mixed), "\u{fffd}x");
        mixed.push(0xAC);
        assert_eq!(complete_utf8(&mut mixed), "€");
        let mut four = "𝄞".as_bytes()[..3].to_vec();
        assert_eq!(complete_utf8(&mut four), "");
        assert_eq!(four.len(), 3);
    }
}

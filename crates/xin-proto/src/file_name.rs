//! File names from other people are untrusted: one rule, used by the server when it accepts a
//! name and by every client before it writes a file to disk (croc CVE-2023-43616 was a name with
//! `../` in it).

/// Longest name kept, in bytes (what ext4 and NTFS allow).
pub const MAX_BYTES: usize = 255;

/// Names Windows reserves for devices, whatever the extension.
const RESERVED: &[&str] = &[
    "CON", "PRN", "AUX", "NUL", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8",
    "COM9", "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9",
];

/// Bidirectional controls and other invisible format characters: `photo\u{202E}gnp.exe` shows
/// as `photoexe.png`, so they are dropped from names rather than shown.
fn invisible(c: char) -> bool {
    matches!(c,
        '\u{061C}'                     // Arabic letter mark
        | '\u{180E}'                   // Mongolian vowel separator
        | '\u{200B}'..='\u{200F}'      // zero-width space, joiners, LRM, RLM
        | '\u{202A}'..='\u{202E}'      // embeddings and overrides
        | '\u{2060}'..='\u{2064}'      // word joiner, invisible operators
        | '\u{2066}'..='\u{2069}'      // isolates
        | '\u{206A}'..='\u{206F}'      // deprecated format characters
        | '\u{FEFF}'                   // zero-width no-break space
        | '\u{FFF9}'..='\u{FFFB}') // interlinear annotation
}

/// A name that is safe to create in any directory: the last path component only, no control
/// characters or characters Windows refuses, no leading dots, no device names, at most
/// [`MAX_BYTES`] bytes with the extension kept. Never empty ("file" when nothing is left).
pub fn sanitize(raw: &str) -> String {
    let last = raw.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = last
        .chars()
        .filter(|&c| !invisible(c))
        .map(|c| match c {
            c if c.is_control() => '_',
            '<' | '>' | ':' | '"' | '|' | '?' | '*' => '_',
            c => c,
        })
        .collect();
    let trimmed = cleaned
        .trim()
        .trim_start_matches('.')
        .trim_end_matches(['.', ' '])
        .to_string();
    let mut name = if trimmed.is_empty() {
        "file".to_string()
    } else {
        trimmed
    };
    let stem = name
        .split('.')
        .next()
        .unwrap_or_default()
        .to_ascii_uppercase();
    if RESERVED.contains(&stem.as_str()) {
        name.insert(0, '_');
    }
    shorten(name)
}

/// Cuts the stem (keeping a short extension) until the name fits in [`MAX_BYTES`].
fn shorten(name: String) -> String {
    if name.len() <= MAX_BYTES {
        return name;
    }
    let (stem, ext) = match name.rsplit_once('.') {
        Some((s, e)) if !s.is_empty() && e.len() <= 16 => (s.to_string(), format!(".{e}")),
        _ => (name.clone(), String::new()),
    };
    let mut stem = stem;
    while stem.len() + ext.len() > MAX_BYTES {
        stem.pop();
    }
    format!("{stem}{ext}")
}

/// The `n`th name to try when `name` is taken: "a.txt" → "a (1).txt", like a file manager.
pub fn numbered(name: &str, n: u32) -> String {
    if n == 0 {
        return name.to_string();
    }
    let (stem, ext) = match name.rsplit_once('.') {
        Some((s, e)) if !s.is_empty() => (s, format!(".{e}")),
        _ => (name, String::new()),
    };
    shorten(format!("{stem} ({n}){ext}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bidi_and_invisible_characters_cannot_disguise_a_name() {
        assert_eq!(sanitize("photo\u{202E}gnp.exe"), "photognp.exe");
        assert_eq!(
            sanitize("\u{2067}invoice\u{2069}.pdf\u{200B}"),
            "invoice.pdf"
        );
        assert_eq!(sanitize("\u{FEFF}\u{200F}"), "file");
        assert_eq!(sanitize("旅行照片.png"), "旅行照片.png", "real text stays");
    }

    #[test]
    fn paths_and_dots_cannot_leave_the_folder() {
        assert_eq!(sanitize("../../etc/passwd"), "passwd");
        assert_eq!(sanitize("..\\..\\boot.ini"), "boot.ini");
        assert_eq!(sanitize(".."), "file");
        assert_eq!(sanitize("/"), "file");
        assert_eq!(sanitize(".bashrc"), "bashrc");
        assert_eq!(sanitize("a\0b.txt"), "a_b.txt");
        assert_eq!(sanitize("report?.pdf"), "report_.pdf");
    }

    #[test]
    fn device_names_are_defused() {
        assert_eq!(sanitize("con.txt"), "_con.txt");
        assert_eq!(sanitize("LPT1"), "_LPT1");
        assert_eq!(sanitize("console.txt"), "console.txt");
    }

    #[test]
    fn long_names_keep_their_extension_and_whole_characters() {
        let long = format!("{}.pdf", "文".repeat(200));
        let s = sanitize(&long);
        assert!(s.len() <= MAX_BYTES, "{}", s.len());
        assert!(s.ends_with("文.pdf"));
    }

    #[test]
    fn clashes_are_numbered_before_the_extension() {
        assert_eq!(numbered("a.txt", 1), "a (1).txt");
        assert_eq!(numbered("README", 2), "README (2)");
        assert_eq!(numbered("a.txt", 0), "a.txt");
    }
}

//! Cutting text to a service's limit on characters, on a character boundary, with a marker
//! that shows the cut.

/// At most `max` characters of `text`, cut on a character boundary; a cut ends in `…`.
pub fn truncate_chars(text: &str, max: usize) -> String {
    truncate_marked(text, max, "…")
}

/// At most `max` characters of `text`, cut on a character boundary; a cut ends in `marker`.
pub fn truncate_marked(text: &str, max: usize, marker: &str) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let keep = max.saturating_sub(marker.chars().count());
    let mut cut: String = text.chars().take(keep).collect();
    cut.push_str(marker);
    cut
}

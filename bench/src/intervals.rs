//! Time spans in microseconds since the Unix epoch, and how much of a window they cover: the
//! end-to-end split adds up what functions and Wait states cover without counting an overlap twice.

use serde::Serialize;

/// `[start, end)` in microseconds since the Unix epoch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Span {
    pub start: i64,
    pub end: i64,
}

impl Span {
    pub fn new(start: i64, end: i64) -> Span {
        Span {
            start,
            end: end.max(start),
        }
    }

    pub fn len(self) -> i64 {
        self.end - self.start
    }

    /// The part of this span inside `window`, if any.
    pub fn clip(self, window: Span) -> Option<Span> {
        let start = self.start.max(window.start);
        let end = self.end.min(window.end);
        (end > start).then_some(Span { start, end })
    }
}

/// How long the union of `spans` lasts, each clipped to `window` first.
pub fn covered(spans: &[Span], window: Span) -> i64 {
    let mut clipped: Vec<Span> = spans.iter().filter_map(|s| s.clip(window)).collect();
    clipped.sort_by_key(|s| s.start);
    let mut total = 0;
    let mut current: Option<Span> = None;
    for span in clipped {
        current = match current {
            Some(open) if span.start <= open.end => Some(Span {
                start: open.start,
                end: open.end.max(span.end),
            }),
            Some(open) => {
                total += open.len();
                Some(span)
            }
            None => Some(span),
        };
    }
    total + current.map_or(0, Span::len)
}

#[cfg(test)]
mod tests {
    use super::*;

    const WINDOW: Span = Span { start: 0, end: 100 };

    #[test]
    fn disjoint_spans_add_up() {
        assert_eq!(covered(&[Span::new(0, 10), Span::new(20, 25)], WINDOW), 15);
    }

    #[test]
    fn overlapping_spans_count_once() {
        let spans = [Span::new(30, 50), Span::new(10, 40), Span::new(45, 60)];
        assert_eq!(covered(&spans, WINDOW), 50);
    }

    #[test]
    fn spans_are_clipped_to_the_window() {
        let spans = [Span::new(-20, 10), Span::new(90, 150), Span::new(200, 300)];
        assert_eq!(covered(&spans, WINDOW), 20);
    }

    #[test]
    fn a_reversed_span_is_empty() {
        assert_eq!(Span::new(10, 5).len(), 0);
        assert_eq!(covered(&[Span::new(10, 5)], WINDOW), 0);
    }
}

//! Summaries of repeated samples: the median is what the table shows, min and max its spread.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Summary {
    pub n: usize,
    pub median: f64,
    pub min: f64,
    pub max: f64,
}

/// None for no samples (or only NaNs, which a measurement never gives).
pub fn summarize(samples: &[f64]) -> Option<Summary> {
    let mut sorted: Vec<f64> = samples.iter().copied().filter(|v| !v.is_nan()).collect();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len();
    let (first, last) = (sorted.first()?, sorted.last()?);
    let mid = n / 2;
    let median = if n % 2 == 1 {
        sorted[mid]
    } else {
        (sorted[mid - 1] + sorted[mid]) / 2.0
    };
    Some(Summary {
        n,
        median,
        min: *first,
        max: *last,
    })
}

/// `numerator / denominator`, when both are known and the denominator is not zero.
pub fn ratio(numerator: Option<f64>, denominator: Option<f64>) -> Option<f64> {
    match (numerator, denominator) {
        (Some(n), Some(d)) if d > 0.0 => Some(n / d),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_of_an_odd_count_is_the_middle_sample() {
        let s = summarize(&[5.0, 1.0, 3.0]);
        assert_eq!(
            s,
            Some(Summary {
                n: 3,
                median: 3.0,
                min: 1.0,
                max: 5.0
            })
        );
    }

    #[test]
    fn median_of_an_even_count_is_the_mean_of_the_middle_two() {
        let s = summarize(&[4.0, 1.0, 2.0, 10.0]).map(|s| s.median);
        assert_eq!(s, Some(3.0));
    }

    #[test]
    fn no_samples_no_summary() {
        assert_eq!(summarize(&[]), None);
        assert_eq!(summarize(&[f64::NAN]), None);
    }

    #[test]
    fn ratio_needs_both_sides_and_a_nonzero_denominator() {
        assert_eq!(ratio(Some(10.0), Some(4.0)), Some(2.5));
        assert_eq!(ratio(Some(10.0), Some(0.0)), None);
        assert_eq!(ratio(None, Some(1.0)), None);
        assert_eq!(ratio(Some(1.0), None), None);
    }
}

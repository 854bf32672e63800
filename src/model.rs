//! The small value types every stage shares: the kind of a note, slugs, and dates that keep
//! their precision.
//!
//! Nothing here reads files or knows about templates; these are plain values with the rules
//! of SPEC §1 (slug characters, date forms) attached.

use std::cmp::Ordering;
use std::fmt;

use serde::Serialize;

/// What a note is about; given by its folder under `content/`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Person,
    Company,
    Event,
    Source,
    Page,
    /// `content/_index.md`, the front page.
    Home,
}

impl Kind {
    /// Every kind that has its own folder, in the order indexes are listed.
    pub const FOLDERS: [Kind; 5] = [
        Kind::Person,
        Kind::Company,
        Kind::Event,
        Kind::Source,
        Kind::Page,
    ];

    pub fn from_folder(folder: &str) -> Option<Kind> {
        Kind::FOLDERS.into_iter().find(|k| k.folder() == folder)
    }

    pub fn from_name(name: &str) -> Option<Kind> {
        Kind::FOLDERS.into_iter().find(|k| k.name() == name)
    }

    /// The folder under `content/` and the first segment of the note's URL.
    pub fn folder(self) -> &'static str {
        match self {
            Kind::Person => "people",
            Kind::Company => "companies",
            Kind::Event => "events",
            Kind::Source => "sources",
            Kind::Page => "pages",
            Kind::Home => "",
        }
    }

    /// The singular name used in front matter (`kind: person`) and in `data-kind`.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Person => "person",
            Kind::Company => "company",
            Kind::Event => "event",
            Kind::Source => "source",
            Kind::Page => "page",
            Kind::Home => "home",
        }
    }

    /// The heading of the kind's index page.
    pub fn plural_title(self) -> &'static str {
        match self {
            Kind::Person => "People",
            Kind::Company => "Companies",
            Kind::Event => "Events",
            Kind::Source => "Sources",
            Kind::Page => "Pages",
            Kind::Home => "Home",
        }
    }

    /// People, companies and events: the notes that appear in the graph and have timelines.
    pub fn is_entity(self) -> bool {
        matches!(self, Kind::Person | Kind::Company | Kind::Event)
    }
}

/// Whether `slug` follows the rule: lower-case `a-z`, `0-9` and single `-` inside.
pub fn is_valid_slug(slug: &str) -> bool {
    !slug.is_empty()
        && slug
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !slug.starts_with('-')
        && !slug.ends_with('-')
        && !slug.contains("--")
}

/// The slug a title or file stem should have: ASCII-folded, lower-case, words joined by `-`.
pub fn slugify(text: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    let mut out = String::new();
    let mut pending_dash = false;
    for c in text.nfkd() {
        if c.is_ascii_alphanumeric() {
            if pending_dash && !out.is_empty() {
                out.push('-');
            }
            pending_dash = false;
            out.push(c.to_ascii_lowercase());
        } else if unicode_normalization::char::is_combining_mark(c) {
            continue;
        } else {
            pending_dash = true;
        }
    }
    out
}

/// A calendar date known to the year, the month or the day.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Date {
    pub year: i32,
    pub month: Option<u8>,
    pub day: Option<u8>,
}

/// How precisely a [`Date`] is known.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Precision {
    Year,
    Month,
    Day,
}

/// A [`Date`]'s numbers, checked to fit the digits [`push_padded`] writes.
struct DateDigits {
    year: u32,
    month: Option<u32>,
    day: Option<u32>,
}

/// `number` (below 10,000) in decimal, with leading zeros up to `width` digits.
fn push_padded(out: &mut String, number: u32, width: usize) {
    let digits = [
        number / 1000,
        number / 100 % 10,
        number / 10 % 10,
        number % 10,
    ];
    let significant = match number {
        0..=9 => 1,
        10..=99 => 2,
        100..=999 => 3,
        _ => 4,
    };
    for &digit in &digits[4 - significant.max(width)..] {
        out.push(char::from(b'0' + digit as u8));
    }
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

impl Date {
    /// Parses `YYYY`, `YYYY-MM` or `YYYY-MM-DD`, checking that the month and day exist.
    pub fn parse(text: &str) -> Result<Date, String> {
        let text = text.trim();
        let parts: Vec<&str> = text.split('-').collect();
        let number = |s: &str, digits: usize, what: &str| -> Result<u32, String> {
            if s.len() != digits || !s.bytes().all(|b| b.is_ascii_digit()) {
                return Err(format!("the {what} must have {digits} digits"));
            }
            s.parse::<u32>().map_err(|e| e.to_string())
        };
        let invalid = |why: String| {
            Err(format!(
                "invalid date \"{text}\": {why}; dates are written YYYY, YYYY-MM or YYYY-MM-DD"
            ))
        };
        if parts.is_empty() || parts.len() > 3 {
            return invalid("wrong number of parts".into());
        }
        let year = match number(parts[0], 4, "year") {
            Ok(y) => y as i32,
            Err(e) => return invalid(e),
        };
        let month = match parts.get(1) {
            Some(m) => match number(m, 2, "month") {
                Ok(m) if (1..=12).contains(&m) => Some(m as u8),
                Ok(m) => return invalid(format!("there is no month {m}")),
                Err(e) => return invalid(e),
            },
            None => None,
        };
        let day = match (parts.get(2), month) {
            (Some(d), Some(m)) => match number(d, 2, "day") {
                Ok(d) if d >= 1 && d <= days_in_month(year, m as u32) as u32 => Some(d as u8),
                Ok(d) => return invalid(format!("{} has no day {d}", MONTHS[m as usize - 1])),
                Err(e) => return invalid(e),
            },
            _ => None,
        };
        Ok(Date { year, month, day })
    }

    pub fn precision(&self) -> Precision {
        match (self.month, self.day) {
            (Some(_), Some(_)) => Precision::Day,
            (Some(_), None) => Precision::Month,
            _ => Precision::Year,
        }
    }

    /// The date as written in the brief: `2025`, `2025-07` or `2025-07-07`.
    pub fn iso(&self) -> String {
        let Some(digits) = self.digits() else {
            return self.iso_formatted();
        };
        let mut out = String::with_capacity(10);
        push_padded(&mut out, digits.year, 4);
        if let Some(month) = digits.month {
            out.push('-');
            push_padded(&mut out, month, 2);
            if let Some(day) = digits.day {
                out.push('-');
                push_padded(&mut out, day, 2);
            }
        }
        out
    }

    /// [`Date::iso`] through `format!`, for dates [`Date::digits`] does not cover.
    fn iso_formatted(&self) -> String {
        match (self.month, self.day) {
            (Some(m), Some(d)) => format!("{:04}-{m:02}-{d:02}", self.year),
            (Some(m), None) => format!("{:04}-{m:02}", self.year),
            _ => format!("{:04}", self.year),
        }
    }

    /// The date's numbers when every parsed date's are: a year of at most four digits, a
    /// month and a day of at most two. Pages show thousands of dates (every entry of every
    /// Sources list has two), and a `format!` cost ten times writing the digits.
    fn digits(&self) -> Option<DateDigits> {
        let year = u32::try_from(self.year).ok().filter(|&y| y <= 9999)?;
        let month = self.month.filter(|&m| (1..=12).contains(&m));
        if month.is_none() && self.month.is_some() {
            return None;
        }
        if self.day.is_some_and(|d| d > 99) {
            return None;
        }
        Some(DateDigits {
            year,
            month: month.map(u32::from),
            day: month.and(self.day).map(u32::from),
        })
    }

    /// The date for readers, at its precision: "7 July 2025", "July 2025", "2025".
    pub fn human(&self) -> String {
        let Some(digits) = self.digits() else {
            return self.human_formatted();
        };
        let mut out = String::with_capacity(20);
        if let Some(month) = digits.month {
            if let Some(day) = digits.day {
                push_padded(&mut out, day, 1);
                out.push(' ');
            }
            out.push_str(MONTHS[month as usize - 1]);
            out.push(' ');
        }
        push_padded(&mut out, digits.year, 1);
        out
    }

    /// [`Date::human`] through `format!`, for dates [`Date::digits`] does not cover.
    fn human_formatted(&self) -> String {
        match (self.month, self.day) {
            (Some(m), Some(d)) => format!("{d} {} {}", MONTHS[m as usize - 1], self.year),
            (Some(m), None) => format!("{} {}", MONTHS[m as usize - 1], self.year),
            _ => format!("{}", self.year),
        }
    }

    /// The month name and year, for timeline headings ("July 2025"), if the month is known.
    pub fn month_heading(&self) -> Option<String> {
        self.month
            .map(|m| format!("{} {}", MONTHS[m as usize - 1], self.year))
    }

    /// Full RFC 3339 timestamp at the start of the period, for feeds and sitemaps.
    pub fn rfc3339(&self) -> String {
        format!(
            "{:04}-{:02}-{:02}T00:00:00Z",
            self.year,
            self.month.unwrap_or(1),
            self.day.unwrap_or(1)
        )
    }

    fn sort_key(&self) -> (i32, u8, u8, u8) {
        // A partial date sorts at the start of its period, before any fuller date in it.
        (
            self.year,
            self.month.unwrap_or(0),
            self.day.unwrap_or(0),
            self.precision() as u8,
        )
    }
}

impl Ord for Date {
    fn cmp(&self, other: &Self) -> Ordering {
        self.sort_key().cmp(&other.sort_key())
    }
}

impl PartialOrd for Date {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.iso())
    }
}

impl Serialize for Date {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.iso())
    }
}

fn days_in_month(year: i32, month: u32) -> u8 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_keep_their_precision() {
        assert_eq!(Date::parse("2025").unwrap().human(), "2025");
        assert_eq!(Date::parse("2025-07").unwrap().human(), "July 2025");
        assert_eq!(Date::parse("2025-07-07").unwrap().human(), "7 July 2025");
        assert_eq!(Date::parse("2025-07").unwrap().iso(), "2025-07");
    }

    #[test]
    fn dates_are_written_as_format_writes_them() {
        let months = std::iter::once(None).chain((1..=12).map(Some));
        for year in [0, 5, 42, 999, 1999, 2025, 9999, 10_000, -1] {
            for month in months.clone() {
                for day in std::iter::once(None).chain((1..=31).map(Some)) {
                    let date = Date { year, month, day };
                    assert_eq!(date.iso(), date.iso_formatted(), "{date:?}");
                    assert_eq!(date.human(), date.human_formatted(), "{date:?}");
                }
            }
        }
    }

    #[test]
    fn impossible_dates_are_refused() {
        for bad in [
            "2025-13",
            "2025-02-30",
            "25-07",
            "2025-7-1",
            "July 2025",
            "",
            "2025-07-07-01",
        ] {
            assert!(Date::parse(bad).is_err(), "{bad} should be refused");
        }
        assert!(Date::parse("2024-02-29").is_ok());
    }

    #[test]
    fn partial_dates_sort_at_the_start_of_their_period() {
        let mut dates: Vec<Date> = ["2025-07-07", "2025", "2025-07", "2024-12-31"]
            .iter()
            .map(|d| Date::parse(d).unwrap())
            .collect();
        dates.sort();
        let order: Vec<String> = dates.iter().map(Date::iso).collect();
        assert_eq!(order, ["2024-12-31", "2025", "2025-07", "2025-07-07"]);
    }

    #[test]
    fn slugs_follow_the_rule() {
        assert!(is_valid_slug("ruoming-pang"));
        assert!(is_valid_slug("36kr"));
        for bad in ["Ruoming-Pang", "a_b", "-a", "a-", "a--b", "", "é"] {
            assert!(!is_valid_slug(bad), "{bad}");
        }
        assert_eq!(slugify("Inès Müller & Co."), "ines-muller-co");
        assert_eq!(slugify("Ruoming_Pang"), "ruoming-pang");
    }
}

//! Parses the catalog file written by `scripts/gen-catalog.py`: `#` comment lines, then
//! one tab-separated line per bank:
//! `blz name bic city fints_url other_blzs other_bics other_cities aliases branches`,
//! list columns separated by `|`.

use super::entry::ProviderEntry;

const COLUMNS: usize = 10;

/// Every bank in the file. Malformed lines are skipped (and fail the tests, which count).
pub fn parse(text: &str) -> Vec<ProviderEntry> {
    text.lines()
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .filter_map(parse_line)
        .collect()
}

fn parse_line(line: &str) -> Option<ProviderEntry> {
    let cols: Vec<&str> = line.split('\t').collect();
    if cols.len() != COLUMNS || cols[0].len() != 8 || cols[1].is_empty() {
        tracing::warn!(line, "skipping a malformed catalog line");
        return None;
    }
    let mut entry = ProviderEntry::german_bank(cols[0], cols[1]);
    if !cols[4].is_empty() {
        entry = entry.with_fints(cols[4]);
    }
    entry.bic = non_empty(cols[2]);
    entry.city = non_empty(cols[3]);
    entry.blzs.extend(list(cols[5]));
    entry.bics = entry.bic.iter().cloned().chain(list(cols[6])).collect();
    entry.branch_cities = list(cols[7]).collect();
    entry.aliases = list(cols[8]).collect();
    entry.branches = cols[9].parse().unwrap_or(1);
    Some(entry)
}

fn non_empty(value: &str) -> Option<String> {
    (!value.is_empty()).then(|| value.to_owned())
}

fn list(value: &str) -> impl Iterator<Item = String> + '_ {
    value
        .split('|')
        .filter(|item| !item.is_empty())
        .map(str::to_owned)
}

//! Catalog search: folding of names and queries, and the ranking.
//!
//! Text is compared folded: lower case, punctuation as single spaces, diacritics removed,
//! and German umlauts both expanded and plain, so "Muenchen", "München" and "Munchen" all
//! find "München", and "Strasse" finds "Straße" (and the other way round).
//!
//! Ranking, best first (lower score): an exact BLZ or BIC (or an IBAN of the bank), the
//! exact name, a name prefix, the head office's city, a word of the name starting with
//! the query, BLZ/BIC prefixes and branch cities, other names of the bank, then
//! substrings, and last every word of the query found somewhere ("Volksbank Hamburg").
//! Ties go to current banks before former ones ("… -alt-"), then to the bigger bank (more
//! branches), then the name.

use std::cmp::Reverse;

use super::ProviderEntry;
use super::blz_of_iban;
use super::sandbox;

/// Folds `text` for comparison, umlauts expanded (`ä` → `ae`, `ß` → `ss`).
pub fn fold(text: &str) -> String {
    fold_with(text, true)
}

/// Folds `text` with umlauts reduced to their base letter (`ä` → `a`, `ß` → `ss`).
pub fn fold_plain(text: &str) -> String {
    fold_with(text, false)
}

fn fold_with(text: &str, expand: bool) -> String {
    let mut out = String::with_capacity(text.len() + 4);
    let mut gap = false;
    for c in text.chars().flat_map(char::to_lowercase) {
        let umlaut = |long: &'static str, short: &'static str| if expand { long } else { short };
        let replacement = match c {
            'ä' => umlaut("ae", "a"),
            'ö' => umlaut("oe", "o"),
            'ü' => umlaut("ue", "u"),
            'ß' => "ss",
            'æ' => "ae",
            'œ' => "oe",
            'à' | 'á' | 'â' | 'ã' | 'å' | 'ā' | 'ą' => "a",
            'ç' | 'č' | 'ć' => "c",
            'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ę' | 'ě' => "e",
            'ì' | 'í' | 'î' | 'ï' => "i",
            'ñ' | 'ń' | 'ň' => "n",
            'ò' | 'ó' | 'ô' | 'õ' | 'ø' | 'ő' => "o",
            'ù' | 'ú' | 'û' | 'ů' | 'ű' => "u",
            'ý' | 'ÿ' => "y",
            'š' | 'ś' => "s",
            'ž' | 'ź' | 'ż' => "z",
            'ł' => "l",
            'ř' => "r",
            c if c.is_alphanumeric() => {
                if gap && !out.is_empty() {
                    out.push(' ');
                }
                gap = false;
                out.push(c);
                continue;
            }
            _ => {
                gap = true;
                continue;
            }
        };
        if gap && !out.is_empty() {
            out.push(' ');
        }
        gap = false;
        out.push_str(replacement);
    }
    out
}

/// How well a folded text matches a folded query.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Match {
    Exact,
    Prefix,
    WordPrefix,
    Substring,
}

/// A text in both folded forms.
struct Folded {
    expanded: String,
    plain: String,
}

impl Folded {
    fn new(text: &str) -> Folded {
        Folded {
            expanded: fold(text),
            plain: fold_plain(text),
        }
    }

    /// The query is folded expanded; comparing it with both forms makes "Munchen" and
    /// "Muenchen" find "München".
    fn matches(&self, q: &str) -> Option<Match> {
        let a = match_one(&self.expanded, q);
        let b = match_one(&self.plain, q);
        a.into_iter().chain(b).min()
    }

    fn contains(&self, q: &str) -> bool {
        self.expanded.contains(q) || self.plain.contains(q)
    }
}

fn match_one(text: &str, q: &str) -> Option<Match> {
    if text == q {
        Some(Match::Exact)
    } else if text.starts_with(q) {
        Some(Match::Prefix)
    } else if text.match_indices(q).any(|(i, _)| text[..i].ends_with(' ')) {
        Some(Match::WordPrefix)
    } else if q.len() >= 3 && text.contains(q) {
        Some(Match::Substring)
    } else {
        None
    }
}

/// A provider's searchable texts, folded once at load.
pub struct SearchKeys {
    name: Folded,
    city: Option<Folded>,
    branch_cities: Vec<Folded>,
    aliases: Vec<Folded>,
    /// BLZs as they are; BICs in lower case.
    blzs: Vec<String>,
    bics: Vec<String>,
}

impl SearchKeys {
    pub fn new(p: &ProviderEntry) -> SearchKeys {
        SearchKeys {
            name: Folded::new(&p.name),
            city: p.city.as_deref().map(Folded::new),
            branch_cities: p.branch_cities.iter().map(|c| Folded::new(c)).collect(),
            aliases: p.aliases.iter().map(|a| Folded::new(a)).collect(),
            blzs: p.blzs.clone(),
            bics: p.bics.iter().map(|b| b.to_ascii_lowercase()).collect(),
        }
    }
}

/// The query, prepared once.
struct Query {
    folded: String,
    /// Letters and digits only, lower case: how BLZs and BICs are compared.
    code: String,
    words: Vec<String>,
}

impl Query {
    fn new(q: &str) -> Query {
        let folded = fold(q);
        let code = blz_of_iban(q).unwrap_or_else(|| folded.replace(' ', ""));
        let words = folded.split(' ').map(str::to_owned).collect();
        Query {
            folded,
            code,
            words,
        }
    }
}

fn score(k: &SearchKeys, q: &Query) -> Option<u32> {
    let mut best: Option<u32> = None;
    let code = q.code.as_str();
    let bic8 = code.len() == 8 && !code.bytes().all(|b| b.is_ascii_digit());
    if k.blzs.iter().any(|b| b == code)
        || k.bics
            .iter()
            .any(|b| b == code || (bic8 && b.starts_with(code) && b.ends_with("xxx")))
    {
        take(&mut best, Some(0));
    } else if (code.len() >= 3 && k.blzs.iter().any(|b| b.starts_with(code)))
        || (code.len() >= 4 && k.bics.iter().any(|b| b.starts_with(code)))
    {
        take(&mut best, Some(5));
    }
    let ranked = |m: Option<Match>, scores: [u32; 4]| m.map(|m| scores[m as usize]);
    take(&mut best, ranked(k.name.matches(&q.folded), [1, 2, 4, 8]));
    if let Some(city) = &k.city {
        take(&mut best, ranked(city.matches(&q.folded), [3, 6, 6, 9]));
    }
    // Branch cities and other names can rank no better than 6 and 7: skip them when the
    // provider already ranks better (most of the time is spent here).
    if best.is_none_or(|b| b > 6) {
        for city in &k.branch_cities {
            take(&mut best, ranked(city.matches(&q.folded), [6, 9, 9, 10]));
        }
    }
    if best.is_none_or(|b| b > 7) {
        for alias in &k.aliases {
            take(&mut best, ranked(alias.matches(&q.folded), [7, 7, 7, 9]));
        }
    }
    if best.is_none() && q.words.len() > 1 && q.words.iter().all(|w| word_found(k, w)) {
        best = Some(11);
    }
    best
}

/// Keeps the better (lower) score.
fn take(best: &mut Option<u32>, score: Option<u32>) {
    if let Some(s) = score {
        *best = Some(best.map_or(s, |b| b.min(s)));
    }
}

/// A word of a several-word query, found in any text of the provider.
fn word_found(k: &SearchKeys, w: &str) -> bool {
    k.name.contains(w)
        || k.city.as_ref().is_some_and(|c| c.contains(w))
        || k.branch_cities.iter().any(|c| c.contains(w))
        || k.aliases.iter().any(|a| a.contains(w))
        || k.blzs.iter().any(|b| b.starts_with(w))
        || k.bics.iter().any(|b| b.starts_with(w))
}

/// A bank merged into another one ("Volksbank Hamburg Ost-West -alt-").
fn is_former(p: &ProviderEntry) -> bool {
    p.name.ends_with("-alt-")
}

/// The best matches of a search and how many there are in all.
#[derive(Debug)]
pub struct Hits<'a> {
    /// At most `limit`, best first.
    pub providers: Vec<&'a ProviderEntry>,
    /// Every match, also those beyond `limit`.
    pub total: usize,
}

/// See the module documentation. `providers` and `keys` are parallel.
pub fn search<'a>(
    providers: &'a [ProviderEntry],
    keys: &[SearchKeys],
    q: &str,
    country: Option<&str>,
    limit: usize,
) -> Hits<'a> {
    let in_country =
        |p: &ProviderEntry| country.is_none_or(|c| c.trim().eq_ignore_ascii_case(&p.country));
    let query = Query::new(q);
    let mut hits: Vec<(u32, &ProviderEntry)> = if query.folded.is_empty() {
        // No query yet: the sandbox bank, then the biggest banks.
        providers
            .iter()
            .filter(|p| in_country(p))
            .map(|p| (u32::from(p.id != sandbox::PROVIDER_ID), p))
            .collect()
    } else {
        providers
            .iter()
            .zip(keys)
            .filter(|(p, _)| in_country(p))
            .filter_map(|(p, k)| Some((score(k, &query)?, p)))
            .collect()
    };
    let order = |(s, p): &(u32, &ProviderEntry), (t, o): &(u32, &ProviderEntry)| {
        (s, is_former(p), Reverse(p.branches), &p.name).cmp(&(
            t,
            is_former(o),
            Reverse(o.branches),
            &o.name,
        ))
    };
    let total = hits.len();
    if hits.len() > limit {
        hits.select_nth_unstable_by(limit, order);
        hits.truncate(limit);
    }
    hits.sort_unstable_by(order);
    Hits {
        providers: hits.into_iter().map(|(_, p)| p).collect(),
        total,
    }
}

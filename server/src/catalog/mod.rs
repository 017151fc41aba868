//! The bank catalog (contract §6): every German bank from the Bundesbank bank code list
//! (via the Debian package `libaqbanking-data`, see `scripts/gen-catalog.py`), merged to
//! one entry per bank, plus the Kontolink Sandbox Bank. FinTS PIN/TAN URLs come from that
//! package and from hbci4java's `blz.properties` (`libhbci4j-core-java`), the newer source
//! winning where they differ; every bank with one has the access method `de-<BLZ>-fints`.
//!
//! The data is compiled in and parsed once at startup; [`Catalog`] is an `Arc` inside, so
//! cloning it into every handler's state costs nothing.
//!
//! ```
//! use kontolink_server::catalog::Catalog;
//! let catalog = Catalog::load();
//! let sandbox = catalog.by_iban("DE82900948150000002881").unwrap();
//! assert_eq!(sandbox.id, "kontolink-sandbox");
//! assert_eq!(catalog.search("Muenchen", Some("DE"), 20)[0].city.as_deref(), Some("München"));
//! ```

mod data;
mod entry;
pub mod sandbox;
pub mod search;

use std::collections::HashMap;
use std::sync::Arc;

pub use entry::{AccessMethodEntry, MethodType, ProviderEntry, ScaFlow, fints_credentials};

/// The generated catalog file, embedded in the binary.
const BANKS_DE: &str = include_str!("../../data/banks-de.tsv");

/// The providers and their lookup tables. Cheap to clone.
#[derive(Clone)]
pub struct Catalog {
    inner: Arc<Inner>,
}

struct Inner {
    providers: Vec<ProviderEntry>,
    keys: Vec<search::SearchKeys>,
    by_id: HashMap<String, usize>,
    by_blz: HashMap<String, usize>,
    methods: HashMap<String, (usize, usize)>,
}

impl Catalog {
    /// Parses the embedded catalog and puts the sandbox bank in front.
    pub fn load() -> Catalog {
        let mut providers = vec![sandbox::provider()];
        providers.extend(data::parse(BANKS_DE));
        Catalog::from_entries(providers)
    }

    /// The catalog with FinTS URLs added or replaced per main BLZ (`--fints-url BLZ=URL`):
    /// such a bank gets its `de-<BLZ>-fints` access method.
    pub fn with_fints_urls(self, urls: &std::collections::BTreeMap<String, String>) -> Catalog {
        if urls.is_empty() {
            return self;
        }
        let providers = self
            .providers()
            .iter()
            .map(|provider| match urls.get(&provider.blz) {
                Some(url) if provider.id != sandbox::PROVIDER_ID => {
                    provider.clone().with_fints(url)
                }
                _ => provider.clone(),
            })
            .collect();
        Catalog::from_entries(providers)
    }

    /// Main BLZ → FinTS URL of every bank that has one.
    pub fn fints_urls(&self) -> HashMap<String, String> {
        self.providers()
            .iter()
            .filter_map(|p| Some((p.blz.clone(), p.fints_url.clone()?)))
            .collect()
    }

    /// A catalog of exactly these providers (tests; the first entry with an id wins).
    pub fn from_entries(providers: Vec<ProviderEntry>) -> Catalog {
        let mut by_id = HashMap::with_capacity(providers.len());
        let mut by_blz = HashMap::with_capacity(providers.len() * 2);
        let mut methods = HashMap::with_capacity(providers.len());
        for (index, provider) in providers.iter().enumerate() {
            by_id.entry(provider.id.clone()).or_insert(index);
            for blz in &provider.blzs {
                by_blz.entry(blz.clone()).or_insert(index);
            }
            for (m, method) in provider.access_methods.iter().enumerate() {
                methods.entry(method.id.clone()).or_insert((index, m));
            }
        }
        let keys = providers.iter().map(search::SearchKeys::new).collect();
        Catalog {
            inner: Arc::new(Inner {
                providers,
                keys,
                by_id,
                by_blz,
                methods,
            }),
        }
    }

    /// Every provider, the sandbox bank first.
    pub fn providers(&self) -> &[ProviderEntry] {
        &self.inner.providers
    }

    pub fn len(&self) -> usize {
        self.inner.providers.len()
    }

    pub fn is_empty(&self) -> bool {
        self.inner.providers.is_empty()
    }

    /// Up to `limit` providers matching `q` (name, BLZ, BIC, city), best first; see
    /// [`search`] for the ranking. An empty query lists the sandbox bank, then the banks
    /// with the most branches.
    pub fn search(&self, q: &str, country: Option<&str>, limit: usize) -> Vec<&ProviderEntry> {
        self.find(q, country, limit).providers
    }

    /// [`Catalog::search`] that also counts every match, for "the first 20 of 143".
    pub fn find(&self, q: &str, country: Option<&str>, limit: usize) -> search::Hits<'_> {
        let inner = &*self.inner;
        search::search(&inner.providers, &inner.keys, q, country, limit)
    }

    /// The provider with this id (`kontolink-sandbox`, `de-<BLZ>`).
    pub fn provider(&self, id: &str) -> Option<&ProviderEntry> {
        let index = *self.inner.by_id.get(id)?;
        Some(&self.inner.providers[index])
    }

    /// The bank a German bank code belongs to: its main BLZ or any of its other BLZs.
    pub fn by_blz(&self, blz: &str) -> Option<&ProviderEntry> {
        let index = *self.inner.by_blz.get(blz.trim())?;
        Some(&self.inner.providers[index])
    }

    /// The bank of a German IBAN (`DE` + 2 check digits + 8-digit BLZ + 10-digit account),
    /// spaces allowed, any case. A wrong length, a non-German IBAN or a failed mod-97 check
    /// gives `None`.
    pub fn by_iban(&self, iban: &str) -> Option<&ProviderEntry> {
        self.by_blz(blz_of_iban(iban)?.as_str())
    }

    /// An access method by id, with the provider it belongs to.
    pub fn access_method(&self, id: &str) -> Option<(&ProviderEntry, &AccessMethodEntry)> {
        let (p, m) = *self.inner.methods.get(id)?;
        let provider = &self.inner.providers[p];
        Some((provider, &provider.access_methods[m]))
    }
}

impl std::fmt::Debug for Catalog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Catalog")
            .field("providers", &self.len())
            .finish()
    }
}

/// The BLZ of a valid German IBAN.
pub fn blz_of_iban(iban: &str) -> Option<String> {
    let compact: String = iban
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| c.to_ascii_uppercase())
        .collect();
    let valid = compact.len() == 22
        && compact.starts_with("DE")
        && compact[2..].bytes().all(|b| b.is_ascii_digit())
        && iban_checksum_ok(&compact);
    valid.then(|| compact[4..12].to_owned())
}

/// ISO 13616 mod-97 check of an upper-case, ASCII-alphanumeric IBAN.
fn iban_checksum_ok(iban: &str) -> bool {
    let (head, tail) = iban.split_at(4);
    let mut remainder: u32 = 0;
    for c in tail.chars().chain(head.chars()) {
        let Some(value) = c.to_digit(36) else {
            return false;
        };
        remainder = if value < 10 {
            (remainder * 10 + value) % 97
        } else {
            (remainder * 100 + value) % 97
        };
    }
    remainder == 1
}

#[cfg(test)]
mod tests;

//! What the catalog knows about a provider and its access methods, and how that goes on
//! the wire ([`ProviderEntry::to_api`]).

use std::fmt;

use kontolink_api::{AccessMethod, CredentialField, Provider};

/// One bank (or the sandbox bank).
#[derive(Debug, Clone, PartialEq)]
pub struct ProviderEntry {
    /// `kontolink-sandbox` or `de-<main BLZ>`.
    pub id: String,
    pub name: String,
    /// The main bank code (Bankleitzahl).
    pub blz: String,
    /// Every bank code of this bank, the main one first.
    pub blzs: Vec<String>,
    /// The head office's BIC.
    pub bic: Option<String>,
    /// Every BIC of this bank (head offices and branches), the main one first.
    pub bics: Vec<String>,
    /// The head office's city.
    pub city: Option<String>,
    /// Other cities this bank has branches in.
    pub branch_cities: Vec<String>,
    /// Other names the bank's records carry (branches, business lines).
    pub aliases: Vec<String>,
    /// ISO 3166 alpha-2.
    pub country: String,
    /// The FinTS PIN/TAN server.
    pub fints_url: Option<String>,
    /// Number of Bundesbank records (head offices and branches): a measure of size.
    pub branches: u32,
    pub access_methods: Vec<AccessMethodEntry>,
}

/// How a provider is reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MethodType {
    Fints,
    Psd2,
    Sandbox,
}

impl MethodType {
    pub fn as_str(self) -> &'static str {
        match self {
            MethodType::Fints => "FINTS",
            MethodType::Psd2 => "PSD2",
            MethodType::Sandbox => "SANDBOX",
        }
    }
}

impl fmt::Display for MethodType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The strong customer authentication approaches an access method may use (the challenge
/// types of contract §4 that the engine can meet with it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScaFlow {
    /// A TAN typed into the widget (TEXT, HTML, PHOTO, HHD), with method/medium selection.
    Embedded,
    /// Approved in the banking app while the widget waits.
    Decoupled,
    /// Approved on the bank's own page.
    Redirect,
}

/// One way of reaching a provider, with the credentials form it needs.
#[derive(Debug, Clone, PartialEq)]
pub struct AccessMethodEntry {
    pub id: String,
    pub name: String,
    pub method_type: MethodType,
    pub credentials: Vec<CredentialField>,
    pub sca_flows: Vec<ScaFlow>,
}

impl AccessMethodEntry {
    /// The FinTS PIN/TAN access of a real bank: `de-<BLZ>-fints`.
    pub fn fints(provider_id: &str) -> AccessMethodEntry {
        AccessMethodEntry {
            id: format!("{provider_id}-fints"),
            name: "FinTS PIN/TAN".to_owned(),
            method_type: MethodType::Fints,
            credentials: fints_credentials(),
            sca_flows: vec![ScaFlow::Embedded, ScaFlow::Decoupled],
        }
    }

    pub fn to_api(&self) -> AccessMethod {
        AccessMethod {
            id: self.id.clone(),
            name: self.name.clone(),
            method_type: self.method_type.as_str().to_owned(),
            credentials: self.credentials.clone(),
        }
    }
}

/// The credentials of a FinTS PIN/TAN access (contract): `login`, the Anmeldename or
/// Legitimations-ID; `customer_id`, the optional Kunden-ID (the engine uses `login` when it
/// is left empty); `pin`, secret. The widget translates these labels by id.
pub fn fints_credentials() -> Vec<CredentialField> {
    vec![
        field("login", "Login name", false),
        CredentialField {
            is_optional: true,
            ..field("customer_id", "Customer ID (optional)", false)
        },
        field("pin", "PIN", true),
    ]
}

/// A required credential field.
pub(crate) fn field(id: &str, label: &str, is_secret: bool) -> CredentialField {
    CredentialField {
        id: id.to_owned(),
        label: label.to_owned(),
        is_secret,
        is_optional: false,
    }
}

impl ProviderEntry {
    /// A German bank from the generated catalog: id `de-<BLZ>`, a FinTS access method when
    /// the bank has a FinTS URL.
    pub fn german_bank(blz: &str, name: &str) -> ProviderEntry {
        let id = format!("de-{blz}");
        ProviderEntry {
            id,
            name: name.to_owned(),
            blz: blz.to_owned(),
            blzs: vec![blz.to_owned()],
            bic: None,
            bics: Vec::new(),
            city: None,
            branch_cities: Vec::new(),
            aliases: Vec::new(),
            country: "DE".to_owned(),
            fints_url: None,
            branches: 1,
            access_methods: Vec::new(),
        }
    }

    /// Sets the FinTS URL and the matching access method.
    pub fn with_fints(mut self, url: &str) -> ProviderEntry {
        self.fints_url = Some(url.to_owned());
        self.access_methods = vec![AccessMethodEntry::fints(&self.id)];
        self
    }

    pub fn to_api(&self) -> Provider {
        Provider {
            id: self.id.clone(),
            name: self.name.clone(),
            blz: Some(self.blz.clone()),
            bic: self.bic.clone(),
            city: self.city.clone(),
            country: self.country.clone(),
            access_methods: self
                .access_methods
                .iter()
                .map(AccessMethodEntry::to_api)
                .collect(),
        }
    }
}

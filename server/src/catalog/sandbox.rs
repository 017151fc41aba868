//! The Kontolink Sandbox Bank's catalog entry (contract §6). Its BLZ is not a real bank
//! code, so `DE82900948150000002881` leads here.

use super::entry::{AccessMethodEntry, MethodType, ProviderEntry, ScaFlow, field};

pub const PROVIDER_ID: &str = "kontolink-sandbox";
pub const NAME: &str = "Kontolink Sandbox Bank";
pub const BLZ: &str = "90094815";
pub const BIC: &str = "KONTDEX1XXX";
/// The sandbox's online-banking access.
pub const PIN_METHOD_ID: &str = "kontolink-sandbox-pin";
/// The sandbox's PSD2 access: what `kontolink-sandbox-pin` is upgraded to.
pub const PSD2_METHOD_ID: &str = "kontolink-sandbox-psd2";

/// The sandbox provider with its two access methods.
pub fn provider() -> ProviderEntry {
    let credentials = vec![
        field("login", "Anmeldename", false),
        field("pin", "PIN", true),
    ];
    let all_flows = vec![ScaFlow::Embedded, ScaFlow::Decoupled, ScaFlow::Redirect];
    ProviderEntry {
        id: PROVIDER_ID.to_owned(),
        name: NAME.to_owned(),
        blz: BLZ.to_owned(),
        blzs: vec![BLZ.to_owned()],
        bic: Some(BIC.to_owned()),
        bics: vec![BIC.to_owned()],
        city: Some("Berlin".to_owned()),
        branch_cities: Vec::new(),
        aliases: vec!["Kontolink Demo Bank".to_owned()],
        country: "DE".to_owned(),
        fints_url: None,
        branches: 1,
        access_methods: vec![
            AccessMethodEntry {
                id: PIN_METHOD_ID.to_owned(),
                name: "Online-Banking (PIN/TAN)".to_owned(),
                method_type: MethodType::Sandbox,
                credentials: credentials.clone(),
                sca_flows: all_flows.clone(),
            },
            AccessMethodEntry {
                id: PSD2_METHOD_ID.to_owned(),
                name: "PSD2 API".to_owned(),
                method_type: MethodType::Psd2,
                credentials,
                sca_flows: all_flows,
            },
        ],
    }
}

use std::sync::OnceLock;

use super::search::{fold, fold_plain};
use super::*;

fn catalog() -> &'static Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    CATALOG.get_or_init(Catalog::load)
}

fn ids(q: &str) -> Vec<String> {
    catalog()
        .search(q, Some("DE"), 20)
        .iter()
        .map(|p| p.id.clone())
        .collect()
}

fn names(q: &str) -> Vec<String> {
    catalog()
        .search(q, None, 20)
        .iter()
        .map(|p| p.name.clone())
        .collect()
}

#[test]
fn folding_expands_umlauts_and_drops_diacritics_and_punctuation() {
    assert_eq!(fold("München"), "muenchen");
    assert_eq!(fold("Muenchen"), "muenchen");
    assert_eq!(fold_plain("München"), "munchen");
    assert_eq!(fold("Straße"), "strasse");
    assert_eq!(fold("ÄÖÜ äöü"), "aeoeue aeoeue");
    assert_eq!(fold("Crédit Agricole"), "credit agricole");
    assert_eq!(
        fold("  Baden-Württemb.Bank/Landesbank "),
        "baden wuerttemb bank landesbank"
    );
    assert_eq!(fold("!!"), "");
}

#[test]
fn every_bank_of_the_file_is_loaded_with_the_sandbox_first() {
    let catalog = catalog();
    assert!(catalog.len() > 2000, "{} providers", catalog.len());
    assert_eq!(catalog.providers()[0].id, "kontolink-sandbox");
    let blzs: usize = catalog.providers().iter().map(|p| p.blzs.len()).sum();
    assert_eq!(blzs, 3564 + 1, "every BLZ of banks.data plus the sandbox's");
    let fints = catalog.providers().iter().filter(|p| p.fints_url.is_some());
    // 819 with AqBanking's URLs alone, 1723 with hbci4java's merged in.
    assert!(fints.count() > 1700);
}

#[test]
fn every_bank_with_a_fints_url_has_its_fints_method_and_no_other_bank_has_one() {
    for p in &catalog().providers()[1..] {
        let methods: Vec<_> = p.access_methods.iter().map(|m| m.id.as_str()).collect();
        match &p.fints_url {
            Some(url) => {
                assert_eq!(methods, [format!("{}-fints", p.id)], "{}", p.id);
                assert!(url.starts_with("https://"), "{}: {url}", p.id);
                assert!(!url.contains(char::is_whitespace), "{}: {url:?}", p.id);
            }
            None => assert!(methods.is_empty(), "{}", p.id),
        }
    }
}

#[test]
fn the_fints_method_asks_for_login_optional_customer_id_and_secret_pin() {
    let (_, method) = catalog().access_method("de-70150000-fints").unwrap();
    let fields: Vec<_> = method
        .credentials
        .iter()
        .map(|f| (f.id.as_str(), f.is_secret, f.is_optional))
        .collect();
    assert_eq!(
        fields,
        [
            ("login", false, false),
            ("customer_id", false, true),
            ("pin", true, false)
        ]
    );
    assert_eq!(method.credentials, fints_credentials());
}

fn fints_url(blz: &str) -> Option<&'static str> {
    let bank = catalog().by_blz(blz).unwrap();
    assert_eq!(bank.id, format!("de-{blz}"));
    bank.fints_url.as_deref()
}

#[test]
fn dkb_has_a_fints_method_from_hbci4java() {
    // AqBanking names no PIN/TAN server for DKB; hbci4java does.
    assert_eq!(
        fints_url("12030000"),
        Some("https://banking-dkb.s-fints-pt-dkb.de/fints30")
    );
    let (dkb, method) = catalog().access_method("de-12030000-fints").unwrap();
    assert_eq!(dkb.name, "Deutsche Kreditbank Berlin");
    assert_eq!(method.method_type, MethodType::Fints);
}

#[test]
fn a_url_only_aqbanking_names_is_kept() {
    // WEG Bank: not in hbci4java's list of PIN/TAN servers.
    assert_eq!(
        fints_url("70011600"),
        Some("https://hbci11.fiducia.de/cgi-bin/hbciservlet")
    );
    assert!(catalog().access_method("de-70011600-fints").is_some());
}

#[test]
fn where_the_sources_disagree_the_newer_one_wins() {
    // The header says which source is newer (hbci4java: FinTS list of 2022-10-13, against
    // AqBanking's bank data of 2021-11-27) and lists the BLZs where they differed.
    assert!(BANKS_DE.contains("\n# newer FinTS data: hbci4java (2022-10-13) over aqbanking"));
    assert!(BANKS_DE.contains("1 differing (taken from hbci4java: 50010517)"));
    // ING: AqBanking still has the server ING retired in 2019.
    assert_eq!(fints_url("50010517"), Some("https://fints.ing.de/fints/"));
}

#[test]
fn fints_urls_are_normalised() {
    // Both sources write "https:// banking.ikb.de/…" with a space.
    assert_eq!(
        fints_url("30010444"),
        Some("https://banking.ikb.de/eBankingFinTS/")
    );
}

#[test]
fn the_sandbox_bank_has_the_fixed_ids_and_both_access_methods() {
    let sandbox = catalog().provider("kontolink-sandbox").unwrap();
    assert_eq!(sandbox.name, "Kontolink Sandbox Bank");
    assert_eq!(sandbox.blz, "90094815");
    assert_eq!(sandbox.bic.as_deref(), Some("KONTDEX1XXX"));
    let api = sandbox.to_api();
    assert_eq!(api.city.as_deref(), Some("Berlin"));
    assert_eq!(api.country, "DE");
    let methods: Vec<_> = api
        .access_methods
        .iter()
        .map(|m| (m.id.as_str(), m.method_type.as_str()))
        .collect();
    assert_eq!(
        methods,
        [
            ("kontolink-sandbox-pin", "SANDBOX"),
            ("kontolink-sandbox-psd2", "PSD2")
        ]
    );
    let fields = &api.access_methods[0].credentials;
    assert_eq!(
        (fields[0].id.as_str(), fields[0].is_secret),
        ("login", false)
    );
    assert_eq!((fields[1].id.as_str(), fields[1].is_secret), ("pin", true));
    assert!(fields.iter().all(|f| !f.is_optional));
    let (provider, method) = catalog().access_method("kontolink-sandbox-psd2").unwrap();
    assert_eq!(
        (provider.id.as_str(), method.name.as_str()),
        ("kontolink-sandbox", "PSD2 API")
    );
}

#[test]
fn a_real_bank_has_a_fints_method_only_with_a_fints_url() {
    let deutsche = catalog().by_blz("10070000").unwrap();
    assert_eq!(deutsche.id, "de-10070000");
    assert_eq!(deutsche.access_methods.len(), 1);
    let fints = &deutsche.access_methods[0];
    assert_eq!(fints.id, "de-10070000-fints");
    assert_eq!(fints.method_type, MethodType::Fints);
    assert_eq!(fints.credentials[0].label, "Login name");
    assert!(catalog().access_method("de-10070000-fints").is_some());
    let commerzbank = &catalog().search("Commerzbank", None, 1)[0];
    assert_eq!(commerzbank.name, "Commerzbank");
    assert!(commerzbank.fints_url.is_none() && commerzbank.access_methods.is_empty());
}

#[test]
fn ibans_lead_to_their_bank() {
    let sandbox = catalog().by_iban("DE82900948150000002881").unwrap();
    assert_eq!(sandbox.id, "kontolink-sandbox");
    let spaced = catalog().by_iban("de82 9009 4815 0000 0028 81").unwrap();
    assert_eq!(spaced.id, "kontolink-sandbox");
    // A Frankfurt BLZ of Deutsche Bank resolves to the one Deutsche Bank entry.
    let deutsche = catalog().by_iban("DE94500700100123456789").unwrap();
    assert_eq!(
        (deutsche.id.as_str(), deutsche.name.as_str()),
        ("de-10070000", "Deutsche Bank")
    );
    let ssk = catalog().by_iban("DE97701500000000123456").unwrap();
    assert_eq!(ssk.name, "Stadtsparkasse München");
    assert!(
        catalog().by_iban("DE83900948150000002881").is_none(),
        "bad check digits"
    );
    assert!(catalog().by_iban("AT611904300234573201").is_none());
    assert!(catalog().by_iban("DE8290094815").is_none());
}

#[test]
fn muenchen_finds_muenchen_with_umlaut_every_way_it_is_typed() {
    for q in ["Muenchen", "München", "munchen", "MÜNCHEN"] {
        let first = &catalog().search(q, None, 20)[0];
        assert_eq!(first.city.as_deref(), Some("München"), "query {q}");
    }
    assert!(names("Stadtsparkasse Muenchen").contains(&"Stadtsparkasse München".to_owned()));
    let sparkassen = names("Sparkasse Muenchen");
    assert!(sparkassen[..2].contains(&"Stadtsparkasse München".to_owned()));
}

#[test]
fn an_exact_blz_or_bic_comes_first() {
    assert_eq!(ids("70150000")[0], "de-70150000");
    assert_eq!(ids("90094815")[0], "kontolink-sandbox");
    // Another BLZ of the bank and a branch's BIC both find the bank.
    assert_eq!(ids("50070010")[0], "de-10070000");
    assert_eq!(ids("DEUTDEFF500")[0], "de-10070000");
    assert_eq!(ids("SSKMDEMMXXX")[0], "de-70150000");
    assert_eq!(
        ids("sskmdemm")[0],
        "de-70150000",
        "BIC8 means the head office"
    );
    assert_eq!(ids("KONTDEX1XXX")[0], "kontolink-sandbox");
    assert_eq!(ids("DE82 9009 4815 0000 0028 81")[0], "kontolink-sandbox");
}

#[test]
fn a_blz_prefix_lists_the_banks_of_that_range() {
    let hits = catalog().search("7015", None, 20);
    assert!(!hits.is_empty());
    assert!(
        hits.iter()
            .all(|p| p.blzs.iter().any(|b| b.starts_with("7015")))
    );
}

#[test]
fn a_prefix_match_ranks_before_a_substring_match() {
    let hits = names("Sparkasse");
    let prefix = hits.iter().position(|n| fold(n).starts_with("sparkasse"));
    let substring = hits
        .iter()
        .position(|n| !fold(n).contains(" sparkasse") && !fold(n).starts_with("sparkasse"));
    assert!(
        prefix.unwrap() < substring.unwrap_or(usize::MAX),
        "{hits:?}"
    );
    let ing = names("ING");
    assert!(fold(&ing[0]).starts_with("ing"), "{ing:?}");
}

#[test]
fn a_city_finds_the_banks_based_there_first() {
    let hits = catalog().search("Augsburg", None, 20);
    assert!(hits.len() >= 5);
    assert!(
        hits.iter()
            .take(3)
            .all(|p| p.name.contains("Augsburg") || p.city.as_deref() == Some("Augsburg")),
        "{:?}",
        hits.iter().map(|p| &p.name).collect::<Vec<_>>()
    );
    // A branch city finds the bank with branches there.
    let haar = catalog().search("Haar", None, 50);
    assert!(haar.iter().any(|p| p.id == "de-70250150"));
}

#[test]
fn a_bank_with_many_blzs_is_one_row() {
    let deutsche = catalog().by_blz("10070000").unwrap();
    assert!(deutsche.blzs.len() > 20, "{} BLZs", deutsche.blzs.len());
    for q in ["Deutsche Bank", "Commerzbank", "HypoVereinsbank"] {
        let hits = names(q);
        let first = &hits[0];
        assert_eq!(
            hits.iter().filter(|n| *n == first).count(),
            1,
            "{q}: {hits:?}"
        );
    }
    // …while the many independent "Volksbank"s stay separate.
    assert!(
        names("Volksbank")
            .iter()
            .filter(|n| *n == "Volksbank")
            .count()
            > 1
    );
}

#[test]
fn an_empty_query_offers_the_sandbox_bank_first() {
    let hits = catalog().search("", None, 5);
    assert_eq!(hits.len(), 5);
    assert_eq!(hits[0].id, "kontolink-sandbox");
    assert_eq!(ids("sandbox")[0], "kontolink-sandbox");
    assert_eq!(ids("kontolink")[0], "kontolink-sandbox");
}

#[test]
fn several_words_match_anywhere() {
    let hits = names("Volksbank Hamburg");
    assert!(hits.contains(&"Hamburger Volksbank".to_owned()), "{hits:?}");
}

#[test]
fn a_search_cut_at_its_limit_still_counts_every_match() {
    let all = catalog().find("Sparkasse", Some("DE"), 50);
    assert!(all.total > 50, "{}", all.total);
    let first = catalog().find("Sparkasse", Some("DE"), 20);
    assert_eq!(first.providers.len(), 20);
    assert_eq!(
        first.total, all.total,
        "the total does not depend on the limit"
    );
    let few = catalog().find("Kontolink", None, 20);
    assert_eq!(few.total, few.providers.len());
    assert_eq!(catalog().find("xyzzy-no-such-bank", None, 20).total, 0);
}

#[test]
fn the_country_filter_and_limit_are_honoured() {
    assert!(catalog().search("Bank", Some("FR"), 20).is_empty());
    assert_eq!(catalog().search("Bank", Some("de"), 7).len(), 7);
    assert!(catalog().search("xyzzy-no-such-bank", None, 20).is_empty());
}

#[test]
fn brand_names_find_banks_whose_official_name_does_not_contain_them() {
    assert_eq!(ids("DKB")[0], "de-12030000");
    assert_eq!(ids("HVB")[0], "de-70020270");
    assert!(ids("ING").iter().take(3).any(|id| id == "de-50010517"));
}

//! Formatting, the HTML allow-list, photo URIs and the end of the flow.

use kontolink_api::ACCOUNT_TYPES;
use kontolink_api::{FinishQuery, FinishRedirect, Language};
use kontolink_widget::finish::{finish_message, finish_url, origin_of};
use kontolink_widget::i18n::format::{format_amount, format_date, format_iban, format_timestamp};
use kontolink_widget::i18n::{
    account_type_label, bank_search_count, credential_label, preferred, texts,
};
use kontolink_widget::sanitize::{Node, Tag, plain_text, safe_image_data_uri, sanitize};
use serde_json::json;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn amounts_per_language() {
    assert_eq!(
        format_amount(Language::De, "1234.56", "EUR"),
        "1.234,56\u{a0}€"
    );
    assert_eq!(format_amount(Language::En, "1234.56", "EUR"), "€1,234.56");
    assert_eq!(
        format_amount(Language::Fr, "1234.56", "EUR"),
        "1\u{202f}234,56\u{a0}€"
    );
    assert_eq!(
        format_amount(Language::Es, "1234.56", "EUR"),
        "1234,56\u{a0}€"
    );
    assert_eq!(
        format_amount(Language::Es, "12345.6", "EUR"),
        "12.345,60\u{a0}€"
    );
    assert_eq!(
        format_amount(Language::De, "-1234567.5", "EUR"),
        "-1.234.567,50\u{a0}€"
    );
    assert_eq!(format_amount(Language::En, "-0.5", "USD"), "-$0.50");
    assert_eq!(format_amount(Language::En, "12", "CHF"), "CHF\u{a0}12.00");
    assert_eq!(format_amount(Language::De, "0", "EUR"), "0,00\u{a0}€");
    assert_eq!(format_amount(Language::De, "-0.00", "EUR"), "0,00\u{a0}€");
    assert_eq!(format_amount(Language::De, "abc", "EUR"), "abc\u{a0}EUR");
}

#[wasm_bindgen_test]
fn dates_ibans_and_moments() {
    assert_eq!(format_date(Language::De, "2026-11-21"), "21.11.2026");
    assert_eq!(format_date(Language::En, "2026-11-21"), "21/11/2026");
    assert_eq!(
        format_iban("DE82900948150000002881"),
        "DE82 9009 4815 0000 0028 81"
    );
    let de = format_timestamp(Language::De, "2026-11-22T08:00:00Z");
    assert!(de.contains("2026") && de.contains("November"), "{de}");
    let fr = format_timestamp(Language::Fr, "2026-11-22T08:00:00Z");
    assert!(fr.contains("novembre"), "{fr}");
    assert_eq!(format_timestamp(Language::En, "not a date"), "not a date");
}

#[wasm_bindgen_test]
fn every_language_has_its_own_strings() {
    let titles: Vec<&str> = Language::ALL
        .iter()
        .map(|l| texts(*l).bank_search_title)
        .collect();
    assert_eq!(titles.len(), 4);
    for (i, a) in titles.iter().enumerate() {
        assert!(titles[i + 1..].iter().all(|b| a != b), "{titles:?}");
    }
    assert_eq!(
        credential_label(texts(Language::De), "login", "Login"),
        "Anmeldename"
    );
    assert_eq!(
        credential_label(texts(Language::En), "customer_id", "x"),
        "Customer number"
    );
    assert_eq!(
        credential_label(texts(Language::Fr), "token2", "Jeton"),
        "Jeton"
    );
}

#[wasm_bindgen_test]
fn account_types_are_shown_in_the_flows_language() {
    let de = texts(Language::De);
    assert_eq!(account_type_label(de, "Giro account"), "Girokonto");
    assert_eq!(account_type_label(de, "Savings account"), "Sparkonto");
    assert_eq!(account_type_label(de, "credit card"), "Kreditkarte");
    assert_eq!(account_type_label(de, "Securities account"), "Depot");
    assert_eq!(account_type_label(de, "Other"), "Sonstiges Konto");
    assert_eq!(
        account_type_label(texts(Language::Fr), "Giro account"),
        "Compte courant"
    );
    assert_eq!(
        account_type_label(texts(Language::Es), "Giro account"),
        "Cuenta corriente"
    );
    assert_eq!(
        account_type_label(texts(Language::En), "Giro account"),
        "Current account"
    );
    // Every known type has its own name in every language, and none is the English wire
    // name outside English.
    for language in Language::ALL {
        let names: Vec<String> = ACCOUNT_TYPES
            .iter()
            .map(|t| account_type_label(texts(language), t))
            .collect();
        for (i, name) in names.iter().enumerate() {
            assert!(!name.is_empty());
            assert!(
                names[i + 1..].iter().all(|other| other != name),
                "{names:?}"
            );
            if language != Language::En {
                assert_ne!(name, ACCOUNT_TYPES[i], "{language:?}");
            }
        }
    }
    // A type the widget does not know is shown as the bank sent it.
    assert_eq!(account_type_label(de, "Tagesgeld Plus"), "Tagesgeld Plus");
}

#[wasm_bindgen_test]
fn the_bank_search_says_when_it_shows_only_the_first_matches() {
    let de = texts(Language::De);
    assert!(
        bank_search_count(de, 20, Some(143)).starts_with("Die ersten 20 von 143 Treffern."),
        "{}",
        bank_search_count(de, 20, Some(143))
    );
    assert!(bank_search_count(de, 7, Some(7)).starts_with("7 Banken gefunden."));
    assert!(bank_search_count(de, 1, Some(1)).starts_with("1 Bank gefunden."));
    // A server that does not count: what is shown.
    assert!(bank_search_count(de, 20, None).starts_with("20 Banken gefunden."));
    let en = texts(Language::En);
    assert!(bank_search_count(en, 20, Some(143)).starts_with("The first 20 of 143 banks found."));
    for language in Language::ALL {
        let text = bank_search_count(texts(language), 20, Some(143));
        assert!(text.contains("20") && text.contains("143"), "{text}");
        assert!(!text.contains("{}"), "{text}");
    }
}

#[wasm_bindgen_test]
fn html_challenges_keep_only_allowed_tags_and_no_attributes() {
    let nodes = sanitize(
        "<p style=x>Bitte <b onclick=\"evil()\">TAN</b> für &euro;&nbsp;1,00<br>eingeben</p>\
         <script>alert(1)</script><img src=x onerror=alert(1)><a href=\"javascript:x\">Link</a>\
         <!-- c --><STYLE>p{}</STYLE>&lt;b&gt;",
    );
    assert_eq!(
        nodes[0],
        Node::Element(
            Tag::P,
            vec![
                Node::Text("Bitte ".into()),
                Node::Element(Tag::B, vec![Node::Text("TAN".into())]),
                Node::Text(" für €\u{a0}1,00".into()),
                Node::Element(Tag::Br, vec![]),
                Node::Text("eingeben".into()),
            ]
        )
    );
    assert_eq!(plain_text(&nodes[1..]), "Link<b>");
    // Unclosed tags are closed; stray closing tags are dropped.
    assert_eq!(plain_text(&sanitize("<ul><li>a<li>b</i></ul>")), "a\nb\n");
    assert_eq!(plain_text(&sanitize("a < b")), "a < b");
}

#[wasm_bindgen_test]
fn only_base64_png_jpeg_gif_data_uris_are_shown() {
    assert!(safe_image_data_uri("data:image/png;base64,iVBORw0KGgo=").is_some());
    assert!(safe_image_data_uri("data:image/jpeg;base64,/9j/4AAQ").is_some());
    assert!(safe_image_data_uri("data:image/gif;base64,R0lGOD").is_some());
    assert!(safe_image_data_uri("data:image/svg+xml;base64,PHN2Zz4=").is_none());
    assert!(safe_image_data_uri("https://evil.example/x.png").is_none());
    assert!(safe_image_data_uri("data:image/png;base64,\"onerror=x").is_none());
    assert!(safe_image_data_uri("data:image/png;base64,").is_none());
    assert!(safe_image_data_uri("javascript:alert(1)").is_none());
}

fn query(
    code: Option<&str>,
    success: &str,
    cancel: Option<&str>,
    error: Option<&str>,
) -> FinishQuery {
    FinishQuery {
        code: code.map(Into::into),
        state: Some("st 1&2".into()),
        success: success.into(),
        cancel: cancel.map(Into::into),
        error: error.map(Into::into),
    }
}

#[wasm_bindgen_test]
fn the_finish_url_appends_the_query() {
    let ok = query(Some("c0de"), "true", None, None);
    assert_eq!(
        finish_url("https://app.example/cb", &ok),
        "https://app.example/cb?code=c0de&state=st+1%262&success=true"
    );
    assert_eq!(
        finish_url("https://app.example/cb?tenant=7", &ok),
        "https://app.example/cb?tenant=7&code=c0de&state=st+1%262&success=true"
    );
    let cancel = query(None, "false", Some("true"), None);
    assert_eq!(
        finish_url("http://127.0.0.1:8080/demo/callback", &cancel),
        "http://127.0.0.1:8080/demo/callback?state=st+1%262&success=false&cancel=true"
    );
    let failed = query(None, "false", None, Some("10012"));
    assert_eq!(
        finish_url("https://a.example/x#frag", &failed),
        "https://a.example/x?state=st+1%262&success=false&error=10012#frag"
    );
    // The browser reads back what was written.
    let url = web_sys::Url::new(&finish_url("https://app.example/cb?tenant=7", &ok)).unwrap();
    assert_eq!(url.search_params().get("state").as_deref(), Some("st 1&2"));
    assert_eq!(url.search_params().get("tenant").as_deref(), Some("7"));
}

#[wasm_bindgen_test]
fn the_iframe_message_and_its_target_origin() {
    let redirect = FinishRedirect {
        redirect: "https://app.example:8443/cb?x=1".into(),
        query: query(Some("c"), "true", None, None),
    };
    assert_eq!(
        finish_message(&redirect),
        json!({"link": "https://app.example:8443/cb?x=1", "query": {"code": "c", "state": "st 1&2", "success": "true"}})
    );
    assert_eq!(
        origin_of(&redirect.redirect).as_deref(),
        Some("https://app.example:8443")
    );
    assert_eq!(
        origin_of("http://127.0.0.1:8080/demo/callback").as_deref(),
        Some("http://127.0.0.1:8080")
    );
    assert_eq!(
        origin_of("HTTPS://App.Example:443/cb").as_deref(),
        Some("https://app.example")
    );
    assert_eq!(origin_of("not a url"), None);
}

#[wasm_bindgen_test]
fn pages_before_the_session_speak_the_browsers_first_known_language() {
    assert_eq!(preferred(&["fr-CH", "en"]), Language::Fr);
    assert_eq!(preferred(&["pt-BR", "es-MX", "en"]), Language::Es);
    assert_eq!(preferred(&["EN_us"]), Language::En);
    assert_eq!(
        preferred(&["pt", "ja"]),
        Language::De,
        "German when none is known"
    );
    assert_eq!(preferred::<&str>(&[]), Language::De);
}

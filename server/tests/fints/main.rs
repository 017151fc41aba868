//! FinTS test peers on loopback: the replay bank (`replay.rs`, real recorded bank dialogs
//! from `fixtures/`) with tests that it is trustworthy, and python-fints's fake bank as a
//! live peer (module `peer`, only when `KONTOLINK_FINTS_PEER` names its command; see
//! `tests/fints-peer/README.md`).

mod peer_process;
mod replay;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use replay::{
    Exchange, Message, ReplayBank, ReplayLog, escape, fix_size, fixture, fixtures_dir,
    rewrite_header, split_segments,
};

// ------------------------------------------------------------------------------- helpers

/// Wraps business segments (numbered from 3) into a signed PIN/TAN message the way FinTS
/// clients send them: HNHBK, HNVSK, HNVSD holding HNSHK..segments..HNSHA, HNHBS.
#[allow(clippy::too_many_arguments)]
fn wrap_signed(
    inner: &[u8],
    dialog_id: &[u8],
    number: u32,
    blz: &str,
    user: &str,
    pin: &str,
    tan: Option<&str>,
    security_function: &str,
) -> Vec<u8> {
    let last = split_segments(inner)
        .expect("inner segments")
        .last()
        .and_then(|s| s.number())
        .unwrap_or(2);
    let user = escape(user.as_bytes());
    let key = |role: &str| {
        let mut key = format!("280:{blz}:").into_bytes();
        key.extend_from_slice(&user);
        key.extend_from_slice(format!(":{role}:0:0").as_bytes());
        key
    };
    let mut payload = format!(
        "HNSHK:2:4+PIN:2+{security_function}+1234567+1+1+2::0+1+1:20250101:120000+1:999:1+6:10:16+"
    )
    .into_bytes();
    payload.extend(key("S"));
    payload.extend_from_slice(b"'");
    payload.extend_from_slice(inner);
    payload.extend(format!("HNSHA:{}:2+1234567++", last + 1).into_bytes());
    payload.extend(escape(pin.as_bytes()));
    if let Some(tan) = tan {
        payload.push(b':');
        payload.extend(escape(tan.as_bytes()));
    }
    payload.extend_from_slice(b"'");

    let mut message = b"HNHBK:1:3+000000000000+300+".to_vec();
    message.extend(escape(dialog_id));
    message.extend(format!("+{number}'").into_bytes());
    message.extend_from_slice(
        b"HNVSK:998:3+PIN:2+998+1+1::0+1:20250101:120000+2:2:13:@8@00000000:5:1+",
    );
    message.extend(key("V"));
    message.extend_from_slice(b"+0'");
    message.extend(format!("HNVSD:999:1+@{}@", payload.len()).into_bytes());
    message.extend(payload);
    message.extend_from_slice(b"'");
    message.extend(format!("HNHBS:{}:1+{number}'", last + 2).into_bytes());
    fix_size(message)
}

/// POSTs a FinTS message, base64-encoded (as banks take it) or raw; returns the answer decoded.
async fn post(client: &reqwest::Client, url: &str, message: &[u8], base64: bool) -> Vec<u8> {
    let body = if base64 {
        BASE64.encode(message).into_bytes()
    } else {
        message.to_vec()
    };
    let response = client.post(url).body(body).send().await.expect("POST");
    assert!(response.status().is_success(), "HTTP {}", response.status());
    let answer = response.bytes().await.expect("answer body");
    if base64 {
        BASE64
            .decode(answer.trim_ascii())
            .unwrap_or_else(|e| panic!("answer is not base64 ({e}): {answer:?}"))
    } else {
        answer.to_vec()
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

fn replace(haystack: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    assert_eq!(
        from.len(),
        to.len(),
        "same-length replacements keep @len@ right"
    );
    let at = haystack
        .windows(from.len())
        .position(|w| w == from)
        .unwrap_or_else(|| panic!("{:?} not in the message", String::from_utf8_lossy(from)));
    let mut out = haystack.to_vec();
    out[at..at + from.len()].copy_from_slice(to);
    out
}

fn scenario_names() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(fixtures_dir())
        .expect("fixtures folder")
        .map(|entry| entry.expect("fixture").path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .filter_map(|p| p.file_stem().map(|s| s.to_string_lossy().into_owned()))
        .filter(|name| name != "index")
        .collect();
    names.sort();
    names
}

fn path(name: &str) -> String {
    fixture(name).to_string_lossy().into_owned()
}

/// The label of an exchange and how to change its request before it is sent.
type Tamper = (&'static str, fn(Vec<u8>) -> Vec<u8>);

/// How the simulated client replays a recording.
#[derive(Default)]
struct Replay {
    base64: bool,
    skip_optional: bool,
    /// Changes the request of the exchange with this label before it is sent.
    tamper: Option<Tamper>,
}

/// Plays a scenario's own recorded requests against a fresh replay bank as a well-behaved
/// client would (inner slices wrapped, dialog ids and message numbers carried) and checks
/// each answer is the recorded one. Returns the bank's log and the answers.
async fn replay_recording(name: &str, how: Replay) -> (ReplayLog, Vec<Vec<u8>>) {
    let bank = ReplayBank::start(path(name));
    let scenario = bank.scenario();
    let client = reqwest::Client::new();
    let mut dialog = b"0".to_vec();
    let mut number = 0;
    let mut answers = Vec::new();
    let steps: Vec<&Exchange> = scenario
        .exchanges
        .iter()
        .filter(|e| !(how.skip_optional && e.optional))
        .collect();
    for exchange in steps {
        if exchange.is_init() {
            number = 1;
            dialog = b"0".to_vec();
        } else {
            number += 1;
        }
        let mut request = if exchange.request_is_full {
            rewrite_header(&exchange.request, Some(&dialog), number)
        } else {
            wrap_signed(
                &exchange.request,
                &dialog,
                number,
                &scenario.blz,
                &scenario.user,
                &scenario.pin,
                exchange.recorded_tan.as_deref(),
                exchange.security_function.as_deref().unwrap_or("999"),
            )
        };
        if let Some((label, tamper)) = how.tamper
            && label == exchange.label
        {
            request = tamper(request);
        }
        let answer = post(&client, &bank.url(), &request, how.base64).await;
        let message = Message::parse(&answer)
            .unwrap_or_else(|e| panic!("{name} {}: answer does not parse: {e}", exchange.label));
        assert_eq!(
            message.declared_size(),
            Some(answer.len()),
            "{name} {}",
            exchange.label
        );
        assert_eq!(
            message.message_number(),
            Some(number),
            "{name} {}",
            exchange.label
        );
        let codes = message.return_codes();
        let ends = exchange.keys.iter().any(|k| k.starts_with("HKEND:"));
        if ends || codes.iter().any(|c| c == "9800") {
            dialog = b"0".to_vec();
            number = 0;
        } else {
            dialog = message.dialog_id().into_bytes();
        }
        answers.push(answer);
    }
    (bank.log(), answers)
}

// ------------------------------------------------------------------------------- wire

#[test]
fn splitter_handles_escapes_groups_and_binary() {
    let segments =
        split_segments(b"HKIDN:2:2+280:12030000+test?@user?+x?'y+0'HNVSD:999:1+@7@a'b+c:d'")
            .unwrap();
    assert_eq!(segments.len(), 2);
    let idn = &segments[0];
    assert_eq!(idn.kind(), "HKIDN");
    assert_eq!(idn.number(), Some(2));
    assert_eq!(idn.version(), Some(2));
    assert_eq!(idn.get(1, 0), Some(&b"280"[..]));
    assert_eq!(idn.get(1, 1), Some(&b"12030000"[..]));
    assert_eq!(idn.get(2, 0), Some(&b"test@user+x'y"[..]));
    assert_eq!(idn.raw, b"HKIDN:2:2+280:12030000+test?@user?+x?'y+0'");
    assert_eq!(segments[1].get(1, 0), Some(&b"a'b+c:d"[..]));
    // ISO-8859-1 bytes pass through untouched
    let umlaut = split_segments(b"HIRMS:3:2+3920::f\xfcr Sie'").unwrap();
    assert_eq!(umlaut[0].text(1, 2), "für Sie");
}

#[test]
fn splitter_rejects_broken_messages() {
    assert!(split_segments(b"HKIDN:2:2+280").is_err(), "unterminated");
    assert!(
        split_segments(b"HNVSD:999:1+@99@abc'").is_err(),
        "binary too short"
    );
    assert!(
        split_segments(b"HKIDN:2:2+abc?").is_err(),
        "trailing escape"
    );
    assert!(split_segments(b"+:2:2'").is_err(), "no type");
}

#[test]
fn header_rewrite_sets_numbers_and_size() {
    let message = b"HNHBK:1:3+000000000000+300+DIALOG+7+DIALOG:7'HIRMG:2:2+0010::ok'HNHBS:3:1+7'";
    let rewritten = rewrite_header(message, None, 3);
    let parsed = Message::parse(&rewritten).unwrap();
    assert_eq!(parsed.declared_size(), Some(rewritten.len()));
    assert_eq!(parsed.message_number(), Some(3));
    assert_eq!(parsed.dialog_id(), "DIALOG");
    assert!(contains(&rewritten, b"+DIALOG:3'"));
    assert!(rewritten.ends_with(b"HNHBS:3:1+3'"));
}

#[test]
fn every_fixture_loads() {
    let names = scenario_names();
    assert!(names.len() >= 15, "{names:?}");
    for name in names {
        let scenario = replay::Scenario::load(&path(&name)).unwrap_or_else(|e| panic!("{e}"));
        assert!(!scenario.exchanges.is_empty(), "{name}");
        assert!(
            scenario.exchanges.iter().all(|e| !e.keys.is_empty()),
            "{name}"
        );
    }
}

// ------------------------------------------------------------------------------- replay bank

#[tokio::test]
async fn every_scenario_replays_its_own_recording_cleanly() {
    for name in scenario_names() {
        let bank = ReplayBank::start(path(&name));
        let recorded: Vec<Vec<u8>> = bank
            .scenario()
            .exchanges
            .iter()
            .map(|e| e.response.clone())
            .collect();
        drop(bank);
        let (log, answers) = replay_recording(
            &name,
            Replay {
                base64: true,
                ..Replay::default()
            },
        )
        .await;
        assert!(log.clean, "{name}: {log:#?}");
        assert_eq!(log.steps_answered, log.steps_total, "{name}: {log:#?}");
        assert_eq!(log.requests, log.steps_total, "{name}");
        // each answer is the recorded response of its own step, renumbered only
        for (k, (answer, recorded)) in answers.iter().zip(&recorded).enumerate() {
            let number = Message::parse(answer).unwrap().message_number().unwrap();
            assert_eq!(
                *answer,
                rewrite_header(recorded, None, number),
                "{name} step {k}"
            );
        }
    }
}

#[tokio::test]
async fn raw_requests_get_raw_answers() {
    let (log, answers) = replay_recording("ingdiba_full", Replay::default()).await;
    assert!(log.clean, "{log:#?}");
    assert!(answers.iter().all(|a| a.starts_with(b"HNHBK:1:3+")));
}

#[tokio::test]
async fn the_anonymous_dialog_may_be_skipped() {
    let (log, _) = replay_recording(
        "dkb_full",
        Replay {
            base64: true,
            skip_optional: true,
            ..Replay::default()
        },
    )
    .await;
    assert!(log.clean, "{log:#?}");
    assert_eq!(log.skipped_optional, ["ANONYMOUS_INIT", "ANONYMOUS_END"]);
    assert_eq!(log.steps_answered, log.steps_total - 2);
}

#[tokio::test]
async fn an_anonymous_init_without_hktan_matches() {
    let bank = ReplayBank::start(path("dkb_full"));
    let request = fix_size(
        b"HNHBK:1:3+000000000000+300+0+1'HKIDN:2:2+280:12030000+9999999999+0+0'\
          HKVVB:3:3+0+0+0+123456789ABCDEF0123456789+1.0'HNHBS:4:1+1'"
            .to_vec(),
    );
    let answer = post(&reqwest::Client::new(), &bank.url(), &request, true).await;
    assert!(contains(&answer, b"HIBPA:"));
    let log = bank.log();
    assert!(
        log.mismatches.is_empty() && log.checks.is_empty(),
        "{log:#?}"
    );
    assert_eq!(log.steps_answered, 1);
}

#[tokio::test]
async fn wrong_segments_are_a_mismatch() {
    let bank = ReplayBank::start(path("dkb_full"));
    let scenario = bank.scenario();
    let client = reqwest::Client::new();
    // statements before any dialog initialisation
    let request = wrap_signed(
        b"HKKAZ:3:5+1234567890::280:12030000+N+20190901+20190922'",
        b"0",
        1,
        &scenario.blz,
        &scenario.user,
        &scenario.pin,
        None,
        "921",
    );
    let answer = post(&client, &bank.url(), &request, true).await;
    let message = Message::parse(&answer).unwrap();
    assert_eq!(message.return_codes(), ["9010"]);
    assert!(contains(&answer, b"unexpected request"));
    assert_eq!(message.declared_size(), Some(answer.len()));
    let log = bank.log();
    assert!(!log.clean && !log.complete);
    assert_eq!(log.mismatches.len(), 1, "{log:#?}");
    let mismatch = &log.mismatches[0];
    assert!(mismatch.contains("HKKAZ:5"), "{mismatch}");
    assert!(
        mismatch.contains("ANONYMOUS_INIT") && mismatch.contains("SYNC"),
        "{mismatch}"
    );
    assert_eq!(log.steps_answered, 0);
}

#[tokio::test]
async fn a_mismatch_consumes_nothing() {
    let bank = ReplayBank::start_fixture("dkb_full");
    let anonymous = bank.scenario().exchanges[0].request.clone();
    let client = reqwest::Client::new();
    // the anonymous init with HKVVB v2 (recorded: v3) matches no step
    let wrong = replace(&anonymous, b"HKVVB:3:3+", b"HKVVB:3:2+");
    let answer = post(&client, &bank.url(), &wrong, true).await;
    assert!(contains(&answer, b"9010"));
    let log = bank.log();
    assert_eq!(log.mismatches.len(), 1, "{log:#?}");
    assert!(log.mismatches[0].contains("HKVVB:2"), "{log:#?}");
    assert_eq!(log.steps_answered, 0);
    // the right one afterwards is answered by the step the wrong one did not use
    let answer = post(&client, &bank.url(), &anonymous, true).await;
    assert!(contains(&answer, b"HIBPA:"));
    let log = bank.log();
    assert_eq!(log.steps_answered, 1, "{log:#?}");
    assert!(log.exchanges[1].contains("ANONYMOUS_INIT"), "{log:#?}");
    assert!(!log.clean);
}

#[tokio::test]
async fn a_wrong_hnhbk_size_is_recorded() {
    let (log, _) = replay_recording(
        "ingdiba_full",
        Replay {
            base64: true,
            tamper: Some(("SYNC", |m| {
                let size = std::str::from_utf8(&m[10..22]).unwrap().to_string();
                let wrong = format!("{:012}", size.parse::<usize>().unwrap() + 1);
                replace(&m, size.as_bytes(), wrong.as_bytes())
            })),
            ..Replay::default()
        },
    )
    .await;
    assert!(log.complete, "{log:#?}");
    assert!(!log.clean);
    assert!(log.mismatches.is_empty(), "{log:#?}");
    assert_eq!(log.checks.len(), 1, "{log:#?}");
    assert!(log.checks[0].contains("HNHBK size"), "{log:#?}");
}

#[tokio::test]
async fn message_numbers_and_dialog_ids_are_checked() {
    let bank = ReplayBank::start(path("ingdiba_full"));
    let scenario = bank.scenario();
    let client = reqwest::Client::new();
    let sync = &scenario.exchanges[0];
    let answer = post(&client, &bank.url(), &sync.request, true).await;
    let dialog = Message::parse(&answer).unwrap().dialog_id().into_bytes();
    // the end of the sync dialog with message number 3 instead of 2, in another dialog
    let end = rewrite_header(&scenario.exchanges[1].request, Some(b"OTHERDIALOG"), 3);
    post(&client, &bank.url(), &end, true).await;
    let log = bank.log();
    assert_eq!(log.checks.len(), 2, "{log:#?}");
    assert!(log.checks[0].contains("dialog id"), "{log:#?}");
    assert!(
        log.checks[1].contains("message number 3, expected 2"),
        "{log:#?}"
    );
    assert!(!dialog.is_empty());
}

#[tokio::test]
async fn a_wrong_pin_is_refused() {
    let (log, answers) = replay_recording(
        "dkb_full",
        Replay {
            base64: true,
            skip_optional: true,
            tamper: Some(("SYNC", |m| replace(&m, b"++12345'", b"++54321'"))),
        },
    )
    .await;
    let refused = Message::parse(&answers[0]).unwrap();
    assert_eq!(refused.return_codes(), ["9800", "9942"]);
    assert!(log.mismatches[0].contains("wrong PIN"), "{log:#?}");
    assert!(!log.clean);
}

#[tokio::test]
async fn a_wrong_pin_gets_the_recorded_error_of_a_pin_error_scenario() {
    let (log, answers) = replay_recording(
        "ingdiba_initdialogwithblockedpin",
        Replay {
            base64: true,
            tamper: Some(("SYNC", |m| replace(&m, b"++123456'", b"++654321'"))),
            ..Replay::default()
        },
    )
    .await;
    let codes = Message::parse(&answers[0]).unwrap().return_codes();
    assert_eq!(codes, ["9800", "9942"]);
    assert!(contains(&answers[0], b"Log-in fehlgeschlagen"));
    assert_eq!(log.wrong_pins, 1, "{log:#?}");
    assert!(log.mismatches.is_empty(), "{log:#?}");
    assert!(log.complete && !log.clean, "{log:#?}");
}

#[tokio::test]
async fn a_wrong_tan_is_a_mismatch() {
    let (log, answers) = replay_recording(
        "dkb_full_tan",
        Replay {
            base64: true,
            skip_optional: true,
            tamper: Some(("SEND_TAN", |m| replace(&m, b":777666'", b":111111'"))),
        },
    )
    .await;
    assert!(log.tans.iter().any(|t| t == "111111"), "{log:#?}");
    assert!(log.mismatches[0].contains("TAN"), "{log:#?}");
    assert!(contains(&answers[6], b"9010"));
    // strictly in order: the dialog end behind the refused TAN is no match either
    assert_eq!(log.required_left, ["SEND_TAN", "FINAL_END"]);
}

#[tokio::test]
async fn touchdown_pages_are_told_apart() {
    // page 1 sent twice: the second one is no page 2 (no touchdown point)
    let bank = ReplayBank::start(path("dkb_full_touchdown"));
    let scenario = bank.scenario();
    let client = reqwest::Client::new();
    let mut dialog = b"0".to_vec();
    for (number, label) in [(1, "SYNC"), (2, "SYNC_END")] {
        let exchange = scenario
            .exchanges
            .iter()
            .find(|e| e.label == label)
            .unwrap();
        let request = rewrite_header(&exchange.request, Some(&dialog), number);
        let answer = post(&client, &bank.url(), &request, true).await;
        dialog = Message::parse(&answer).unwrap().dialog_id().into_bytes();
    }
    let sign = |inner: &[u8], dialog: &[u8], number| {
        wrap_signed(
            inner,
            dialog,
            number,
            &scenario.blz,
            &scenario.user,
            &scenario.pin,
            None,
            "921",
        )
    };
    let init = &scenario
        .exchanges
        .iter()
        .find(|e| e.label == "INIT")
        .unwrap();
    let answer = post(&client, &bank.url(), &sign(&init.request, b"0", 1), true).await;
    let dialog = Message::parse(&answer).unwrap().dialog_id().into_bytes();
    let page1 = b"HKKAZ:3:5+1234567890::280:12030000+N+20190901+20190922'";
    let page2 =
        b"HKKAZ:3:5+1234567890::280:12030000+N+20190901+20190922++9978-12-08-12.12.22.?:9789'";
    for (number, inner) in [
        (2, &b"HKSPA:3:2'"[..]),
        (3, b"HKSAL:3:5+1234567890::280:12030000+J'"),
    ] {
        post(&client, &bank.url(), &sign(inner, &dialog, number), true).await;
    }
    let codes = |answer: &[u8]| Message::parse(answer).unwrap().return_codes();
    let first = post(&client, &bank.url(), &sign(page1, &dialog, 4), true).await;
    assert!(
        codes(&first).iter().any(|c| c == "3040"),
        "{:?}",
        codes(&first)
    );
    let again = post(&client, &bank.url(), &sign(page1, &dialog, 5), true).await;
    assert!(contains(&again, b"9010"));
    let second = post(&client, &bank.url(), &sign(page2, &dialog, 6), true).await;
    assert!(contains(&second, b"HIKAZ:"));
    assert!(
        !codes(&second).iter().any(|c| c == "3040"),
        "{:?}",
        codes(&second)
    );
    let log = bank.log();
    assert_eq!(log.mismatches.len(), 1, "{log:#?}");
    assert!(log.mismatches[0].contains("HKKAZ:5[touchdown]"), "{log:#?}");
}

#[tokio::test]
async fn a_scenario_can_be_given_as_json_text_and_get_shows_the_log() {
    let json = std::fs::read_to_string(fixture("ingdiba_initdialogwithblockedpin")).unwrap();
    let bank = ReplayBank::start(&json);
    let text = reqwest::get(bank.url())
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(text.contains("ingdiba_initdialogwithblockedpin"), "{text}");
    assert!(!bank.log().complete);
}

// ------------------------------------------------------------------------------- live peer

/// python-fints's fake bank (`scripts/fints-peer.sh`): runs only when `KONTOLINK_FINTS_PEER`
/// holds the command that starts it.
mod peer {
    use super::peer_process::Peer;
    use super::{Message, contains, fix_size, post, wrap_signed};

    #[tokio::test]
    async fn peer_answers_a_dialog_init_with_its_bpd() {
        let Some(peer) = Peer::from_env("peer_answers_a_dialog_init_with_its_bpd") else {
            return;
        };
        let client = reqwest::Client::new();

        // The fake bank wants a PIN in every message: an anonymous (unsigned) dialog init is
        // refused with 9910 and gets no BPD.
        let anonymous = fix_size(
            b"HNHBK:1:3+000000000145+300+0+1'HKIDN:2:2+280:12345678+9999999999+0+0'\
              HKVVB:3:3+0+0+0+123456789ABCDEF0123456789+1.0'HKTAN:4:6+4+HKIDN'HNHBS:5:1+1'"
                .to_vec(),
        );
        assert_eq!(anonymous.len(), 145);
        let answer = post(&client, &peer.url, &anonymous, true).await;
        assert!(
            contains(&answer, b"9910"),
            "{}",
            String::from_utf8_lossy(&answer)
        );
        assert!(!contains(&answer, b"HIBPA"));

        // A signed dialog init with the fixture's PIN 1234: BPD (HIBPA), UPD, 0020.
        let init = wrap_signed(
            b"HKIDN:3:2+280:12345678+test1+0+1'HKVVB:4:3+0+0+0+123456789ABCDEF0123456789+1.0'",
            b"0",
            1,
            "12345678",
            "test1",
            "1234",
            None,
            "999",
        );
        let answer = post(&client, &peer.url, &init, true).await;
        let message = Message::parse(&answer)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&answer)));
        let hibpa = message.find("HIBPA").expect("HIBPA in the answer");
        assert_eq!(hibpa.text(1, 0), "78", "BPD version");
        assert_eq!(hibpa.text(3, 0), "Test Bank");
        assert!(message.find("HIUPD").is_some());
        assert!(message.return_codes().iter().any(|c| c == "0020"));

        // Same dialog, message 2: the SEPA accounts.
        let dialog = message.dialog_id().into_bytes();
        let accounts = wrap_signed(
            b"HKSPA:3:1'",
            &dialog,
            2,
            "12345678",
            "test1",
            "1234",
            None,
            "999",
        );
        let answer = post(&client, &peer.url, &accounts, true).await;
        assert!(
            contains(&answer, b"HISPA") && contains(&answer, b"DE111234567800000001"),
            "{}",
            String::from_utf8_lossy(&answer)
        );
    }
}

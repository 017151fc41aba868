//! The job against real recorded bank dialogs (DKB, ING-DiBa; see
//! `fixtures/replay/README.md`): every message it sends must be the next recorded request
//! (optional steps such as the anonymous BPD dialog may be skipped), and the recorded
//! answers must lead it to the recorded end.

use kontolink_fints::codec::{Element, Segment};
use kontolink_fints::dialog::{
    Cache, FintsError, Job, Params, Question, Reply, StatementFormat, Step,
};
use kontolink_fints::envelope;
use kontolink_fints::segments::requests::Product;
use secrecy::SecretString;
use serde_json::Value;

struct Recording {
    exchanges: Vec<Value>,
    consumed: Vec<bool>,
    /// Requests that matched no recorded step (answered `9010`, as the bank would).
    mismatches: Vec<Vec<String>>,
    next: usize,
    pin: String,
    user: String,
    blz: String,
    tan: Option<String>,
}

impl Recording {
    fn load(name: &str) -> Recording {
        let path = format!(
            "{}/tests/fixtures/replay/{name}.json",
            env!("CARGO_MANIFEST_DIR")
        );
        let json: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let exchanges = json["exchanges"].as_array().unwrap().clone();
        let tan = exchanges
            .iter()
            .find_map(|e| e["recorded_tan"].as_str().map(str::to_owned));
        Recording {
            consumed: vec![false; exchanges.len()],
            mismatches: Vec::new(),
            exchanges,
            next: 0,
            pin: json["credentials"]["pin"].as_str().unwrap().to_owned(),
            user: json["credentials"]["user"].as_str().unwrap().to_owned(),
            blz: json["bank"]["blz"].as_str().unwrap().to_owned(),
            tan,
        }
    }

    /// The recorded answer to `message`, after checking it is the next recorded request.
    fn answer(&mut self, message: &[u8]) -> Vec<u8> {
        let sent = envelope::open(message).unwrap();
        let kinds: Vec<String> = sent.segments.iter().map(|s| s.kind()).collect();
        for (index, exchange) in self.exchanges.iter().enumerate() {
            if self.consumed[index] {
                continue;
            }
            let recorded: Vec<String> = exchange["request_segments"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| s.as_str().unwrap().split(':').next().unwrap().to_owned())
                .collect();
            if recorded == kinds {
                self.consumed[index] = true;
                self.next = index + 1;
                let response = exchange["response"].as_str().unwrap();
                return kontolink_fints::codec::encode_latin1(response);
            }
            if exchange["optional"].as_bool() != Some(true) {
                break;
            }
        }
        self.mismatches.push(kinds);
        let header = envelope::Header {
            dialog_id: &sent.dialog_id,
            message_number: sent.message_number,
            date: "20200101",
            time: "000000",
        };
        let refusal = Segment::new("HIRMG", 0, 2).push(Element::group([
            "9010",
            "",
            "Verarbeitung nicht möglich",
        ]));
        envelope::anonymous(&header, vec![refusal])
    }

    fn finished(&self) -> bool {
        self.exchanges
            .iter()
            .zip(&self.consumed)
            .all(|(e, used)| *used || e["optional"].as_bool() == Some(true))
    }
}

/// MT940, as the recordings were made with (`auto` would ask DKB for camt.052).
fn params(recording: &Recording, since: &str, today: &str) -> Params {
    let date = |s: &str| {
        time::Date::parse(s, time::macros::format_description!("[year]-[month]-[day]")).unwrap()
    };
    Params {
        blz: recording.blz.clone(),
        user_id: recording.user.clone(),
        customer_id: recording.user.clone(),
        product: Product {
            id: "123456789ABCDEF0123456789".into(),
            version: "1.0".into(),
        },
        since: Some(date(since)),
        today: date(today),
        statement_format: StatementFormat::Mt940,
        statements_for: None,
        preferred_method: None,
        preferred_medium: None,
    }
}

/// Runs the job to its end, answering every TAN question with the recorded TAN.
fn run(recording: &mut Recording, job: &mut Job) -> Result<Vec<String>, FintsError> {
    let pin = SecretString::from(recording.pin.clone());
    let mut asked = Vec::new();
    loop {
        match job.next(&pin)? {
            Step::Send(message) => {
                let answer = recording.answer(&message);
                job.receive(&answer)?;
            }
            Step::Ask(question) if matches!(*question, Question::Tan { .. }) => {
                let Question::Tan { challenge, .. } = *question else {
                    unreachable!()
                };
                asked.push(format!("TAN: {}", challenge.text));
                // The state survives a restart while the end-user fetches the TAN.
                let snapshot = job.snapshot();
                assert!(
                    !snapshot
                        .to_string()
                        .contains(&format!("\"{}\"", recording.pin))
                );
                *job = Job::restore(&snapshot, job.cache().clone()).unwrap();
                let tan = recording.tan.clone().expect("the recording has a TAN");
                job.reply(Reply::Tan(SecretString::from(tan)))?;
            }
            Step::Ask(other) => panic!("unexpected question {other:?}"),
            Step::Done => return Ok(asked),
        }
    }
}

#[test]
fn dkb_full_completes_with_accounts_balance_and_statements() {
    let mut recording = Recording::load("dkb_full");
    let mut job = Job::new(
        params(&recording, "2019-09-01", "2019-09-22"),
        Cache::default(),
    );
    let asked = run(&mut recording, &mut job).unwrap();
    assert!(asked.is_empty());
    assert!(
        recording.finished(),
        "stopped at exchange {}",
        recording.next
    );
    assert!(
        recording.mismatches.is_empty(),
        "{:?}",
        recording.mismatches
    );
    let results = job.results();
    assert_eq!(results.method.as_deref(), Some("921"));
    assert_eq!(results.accounts.len(), 1);
    let giro = &results.accounts[0];
    assert_eq!(giro.account.iban.as_deref(), Some("DExxABCDEFGH1234567890"));
    assert_eq!(giro.balance.as_ref().map(|b| b.0.as_str()), Some("123.45"));
    assert!(giro.statements_fetched);
    assert!(job.cache().system_id.is_some());
    assert!(job.cache().bpd.is_some());
}

#[test]
fn dkb_statements_with_a_tan_continue_the_same_dialog() {
    let mut recording = Recording::load("dkb_full_tan");
    let mut job = Job::new(
        params(&recording, "2019-09-01", "2019-09-22"),
        Cache::default(),
    );
    let asked = run(&mut recording, &mut job).unwrap();
    assert_eq!(asked, ["TAN: Bitte geben Sie die pushTAN ein."]);
    assert!(
        recording.finished(),
        "stopped at exchange {}",
        recording.next
    );
    assert!(job.results().accounts[0].statements_fetched);
}

#[test]
fn dkb_statements_over_two_pages() {
    let mut recording = Recording::load("dkb_full_touchdown");
    let mut job = Job::new(
        params(&recording, "2019-09-01", "2019-09-22"),
        Cache::default(),
    );
    run(&mut recording, &mut job).unwrap();
    assert!(
        recording.finished(),
        "stopped at exchange {}",
        recording.next
    );
}

#[test]
fn ingdiba_one_step_pin() {
    let mut recording = Recording::load("ingdiba_full");
    let mut job = Job::new(
        params(&recording, "2020-03-01", "2020-03-25"),
        Cache::default(),
    );
    let result = run(&mut recording, &mut job);
    assert!(result.is_ok(), "{result:?}");
    assert!(
        recording.finished(),
        "stopped at exchange {}",
        recording.next
    );
    assert_eq!(job.results().method.as_deref(), Some("999"));
    // The recording has no balance query and the statements of the first account only,
    // so the "bank" refuses the others; the sync goes on with what it got.
    assert_eq!(recording.mismatches, [["HKSAL"], ["HKSAL"], ["HKKAZ"]]);
    assert_eq!(job.results().accounts.len(), 2);
}

#[test]
fn ingdiba_wrong_pin_is_told() {
    let mut recording = Recording::load("ingdiba_initdialogwithblockedpin");
    let mut job = Job::new(
        params(&recording, "2020-03-01", "2020-03-25"),
        Cache::default(),
    );
    let error = run(&mut recording, &mut job).unwrap_err();
    assert!(
        matches!(error, FintsError::PinWrong(ref text) if text.contains("Log-in fehlgeschlagen")),
        "{error:?}"
    );
}

#[test]
fn a_bank_refusing_camt_is_asked_for_mt940() {
    // DKB offers camt.052 (HICAZS) but the recording only answers HKKAZ.
    let mut recording = Recording::load("dkb_full");
    let mut params = params(&recording, "2019-09-01", "2019-09-22");
    params.statement_format = StatementFormat::Auto;
    let mut job = Job::new(params, Cache::default());
    run(&mut recording, &mut job).unwrap();
    assert_eq!(recording.mismatches, [["HKCAZ"]]);
    assert!(
        recording.finished(),
        "stopped at exchange {}",
        recording.next
    );
    assert_eq!(job.results().accounts[0].entries.len(), 2);
}

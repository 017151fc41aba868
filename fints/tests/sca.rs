//! Every kind of strong customer authentication, against the scripted test bank
//! (`testbank`): TAN method choice, chipTAN flicker code, wrong TAN, decoupled approval
//! polled until the bank stops saying `3956`, the method remembered for the next sync.

#![cfg(feature = "testbank")]

use kontolink_fints::dialog::{
    Cache, FintsError, Job, Params, Question, Reply, StatementFormat, Step,
};
use kontolink_fints::segments::requests::Product;
use kontolink_fints::testbank::{TAN, TestBank};
use secrecy::SecretString;

fn params(preferred_method: Option<&str>) -> Params {
    params_in(preferred_method, StatementFormat::Auto)
}

fn params_in(preferred_method: Option<&str>, statement_format: StatementFormat) -> Params {
    Params {
        blz: "12030000".into(),
        user_id: "erika".into(),
        customer_id: "erika".into(),
        product: Product {
            id: "TESTPRODUCT".into(),
            version: "1.0".into(),
        },
        since: Some(time::macros::date!(2026 - 08 - 01)),
        today: time::macros::date!(2026 - 11 - 23),
        statement_format,
        statements_for: None,
        preferred_method: preferred_method.map(str::to_owned),
        preferred_medium: None,
    }
}

/// Drives the job; `answer` decides each question (and sees every one asked).
fn drive(
    bank: &mut TestBank,
    job: &mut Job,
    pin: &str,
    mut answer: impl FnMut(&Question) -> Reply,
) -> Result<Vec<String>, FintsError> {
    let pin = SecretString::from(pin.to_owned());
    let mut asked = Vec::new();
    loop {
        match job.next(&pin)? {
            Step::Send(message) => job.receive(&bank.answer(&message))?,
            Step::Ask(question) => {
                asked.push(match &*question {
                    Question::Method(methods) => format!(
                        "method {}",
                        methods
                            .iter()
                            .map(|m| m.security_function.as_str())
                            .collect::<Vec<_>>()
                            .join(",")
                    ),
                    Question::Medium(media) => format!("medium {}", media.join(",")),
                    Question::Tan { challenge, .. } => {
                        format!("tan hhd={}", challenge.hhd.as_deref().unwrap_or("-"))
                    }
                    Question::Decoupled { wait_secs, .. } => format!("decoupled wait={wait_secs}"),
                });
                let reply = answer(&question);
                // Parked and picked up again, as across AWAIT_AUTH.
                *job = Job::restore(&job.snapshot(), job.cache().clone()).unwrap();
                job.reply(reply)?;
            }
            Step::Done => return Ok(asked),
        }
    }
}

fn today_bank() -> TestBank {
    TestBank::on(time::macros::date!(2026 - 11 - 23))
}

#[test]
fn chiptan_flicker_after_choosing_the_method_then_every_mt940_page_and_the_pending_entry() {
    let mut bank = today_bank();
    let mut job = Job::new(params_in(None, StatementFormat::Mt940), Cache::default());
    let asked = drive(&mut bank, &mut job, "1234", |q| match q {
        Question::Method(_) => Reply::Method("972".into()),
        _ => Reply::Tan(SecretString::from(TAN.to_owned())),
    })
    .unwrap();
    assert_eq!(
        asked,
        [
            "method 972,921,982,942",
            "tan hhd=0248A0120452019980812345678"
        ]
    );
    let results = job.results();
    assert_eq!(results.method.as_deref(), Some("972"));
    assert_eq!(results.accounts.len(), 2);
    let giro = &results.accounts[0];
    assert_eq!(giro.balance.as_ref().unwrap().0, "1523.42");
    assert_eq!(
        giro.upd.as_ref().unwrap().product_name.as_deref(),
        Some("Girokonto")
    );
    let amounts: Vec<(&str, bool)> = giro
        .entries
        .iter()
        .map(|e| (e.amount.as_str(), e.booked))
        .collect();
    assert_eq!(
        amounts,
        [
            ("-42.50", true),
            ("2500.00", true),
            ("-3.80", true),
            ("-19.99", false)
        ]
    );
    assert_eq!(results.accounts[1].entries.len(), 1);
}

#[test]
fn a_wrong_tan_is_told() {
    let mut bank = today_bank();
    let mut job = Job::new(params(Some("972")), Cache::default());
    let error = drive(&mut bank, &mut job, "1234", |_| {
        Reply::Tan(SecretString::from("000000".to_owned()))
    })
    .unwrap_err();
    assert!(
        matches!(error, FintsError::TanWrong(ref t) if t == "TAN ungültig."),
        "{error:?}"
    );
}

#[test]
fn decoupled_approval_is_polled_until_the_bank_stops_saying_pending() {
    let mut bank = today_bank();
    let mut job = Job::new(params(Some("921")), Cache::default());
    let asked = drive(&mut bank, &mut job, "1234", |_| Reply::Poll).unwrap();
    // HITANS v7 of the test bank: 2 s before the first poll, 1 s between the next ones.
    assert_eq!(asked, ["decoupled wait=2", "decoupled wait=1"]);
    assert_eq!(job.results().accounts.len(), 2);
}

#[test]
fn the_method_and_cache_of_one_sync_make_the_next_one_ask_only_the_tan() {
    let mut bank = today_bank();
    let mut first = Job::new(params(None), Cache::default());
    drive(&mut bank, &mut first, "1234", |q| match q {
        Question::Method(_) => Reply::Method("972".into()),
        _ => Reply::Tan(SecretString::from(TAN.to_owned())),
    })
    .unwrap();
    let method = first.results().method.clone();
    let mut second = Job::new(params(method.as_deref()), first.cache().clone());
    let asked = drive(&mut bank, &mut second, "1234", |_| {
        Reply::Tan(SecretString::from(TAN.to_owned()))
    })
    .unwrap();
    assert_eq!(asked, ["tan hhd=0248A0120452019980812345678"]);
}

#[test]
fn wrong_and_locked_pins() {
    let mut bank = today_bank();
    let mut job = Job::new(params(None), Cache::default());
    let error = drive(&mut bank, &mut job, "wrong", |_| Reply::Poll).unwrap_err();
    assert!(matches!(error, FintsError::PinWrong(_)), "{error:?}");
    let mut job = Job::new(params(None), Cache::default());
    let error = drive(&mut bank, &mut job, "locked", |_| Reply::Poll).unwrap_err();
    assert!(matches!(error, FintsError::Blocked(_)), "{error:?}");
}

#[test]
fn camt_where_the_bank_offers_it_with_booked_and_pending_entries() {
    let mut bank = today_bank();
    let mut job = Job::new(params(Some("972")), Cache::default());
    drive(&mut bank, &mut job, "1234", |_| {
        Reply::Tan(SecretString::from(TAN.to_owned()))
    })
    .unwrap();
    let giro = &job.results().accounts[0];
    let amounts: Vec<(&str, bool)> = giro
        .entries
        .iter()
        .map(|e| (e.amount.as_str(), e.booked))
        .collect();
    assert_eq!(
        amounts,
        [
            ("-42.50", true),
            ("2500.00", true),
            ("-3.80", true),
            ("-19.99", false)
        ]
    );
    assert_eq!(
        giro.entries[1].counterparty_name.as_deref(),
        Some("Muster GmbH")
    );
    assert_eq!(giro.entries[1].purpose.as_deref(), Some("Gehalt November"));
}

#[test]
fn phototan_brings_the_banks_image_as_a_data_uri() {
    let mut bank = today_bank();
    let mut job = Job::new(params(Some("982")), Cache::default());
    let mut image = None;
    drive(&mut bank, &mut job, "1234", |q| {
        if let Question::Tan { challenge, .. } = q {
            image = challenge.image.clone();
        }
        Reply::Tan(SecretString::from(TAN.to_owned()))
    })
    .unwrap();
    let image = image.expect("a matrix code");
    assert!(
        image.starts_with("data:image/png;base64,iVBORw0KGgo"),
        "{image}"
    );
}

#[test]
fn a_bank_that_wants_a_tan_medium_lists_them_and_the_end_user_chooses() {
    let mut bank = today_bank();
    let mut job = Job::new(params(Some("942")), Cache::default());
    let mut texts = Vec::new();
    let asked = drive(&mut bank, &mut job, "1234", |q| match q {
        Question::Medium(media) => Reply::Medium(media[1].clone()),
        Question::Tan { challenge, .. } => {
            texts.push(challenge.text.clone());
            Reply::Tan(SecretString::from(TAN.to_owned()))
        }
        _ => Reply::Poll,
    })
    .unwrap();
    assert_eq!(asked, ["medium Handy Erika,Tablet Erika", "tan hhd=-"]);
    assert_eq!(texts, ["Die TAN wurde an Tablet Erika gesendet."]);
    assert_eq!(job.results().medium.as_deref(), Some("Tablet Erika"));
}

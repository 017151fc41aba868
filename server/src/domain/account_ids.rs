//! The account ids the end-user selected in the widget (`POST /widget/complete`).

/// At most this many accounts can be selected in one flow.
pub const MAX_ACCOUNT_IDS: usize = 100;
const MAX_ID_LEN: usize = 255;

/// Non-empty, each id non-blank, at most [`MAX_ACCOUNT_IDS`] ids, no duplicates.
pub fn validate(ids: &[String]) -> Result<(), String> {
    if ids.is_empty() {
        return Err("account_ids must name at least one account".into());
    }
    if ids.len() > MAX_ACCOUNT_IDS {
        return Err(format!(
            "account_ids may name at most {MAX_ACCOUNT_IDS} accounts"
        ));
    }
    for id in ids {
        if id.trim().is_empty()
            || id.chars().count() > MAX_ID_LEN
            || id.chars().any(char::is_control)
        {
            return Err(
                "every account id must be a non-empty string of at most 255 characters".into(),
            );
        }
    }
    let mut sorted: Vec<&String> = ids.iter().collect();
    sorted.sort();
    sorted.dedup();
    if sorted.len() != ids.len() {
        return Err("account_ids must not repeat an account".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selections_must_be_non_empty_bounded_and_distinct() {
        assert!(validate(&["a".into()]).is_ok());
        assert!(validate(&[]).is_err());
        assert!(validate(&["".into()]).is_err());
        assert!(validate(&["a".into(), "a".into()]).is_err());
        let many: Vec<String> = (0..101).map(|i| i.to_string()).collect();
        assert!(validate(&many).is_err());
    }
}

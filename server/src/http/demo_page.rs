//! The demo integrator's backend half: exchange the code at `/auth/token`, read
//! `/rest/accounts` and each account's latest transactions, and render them.

use anyhow::Context;
use kontolink_api::{Account, AccountList, TokenResponse, Transaction, TransactionList};

use super::html::escape;

/// Talks to this server's public API with the demo client's credentials.
pub struct Integrator {
    pub base: String,
    pub client_id: &'static str,
    pub client_secret: &'static str,
}

/// What the callback page shows.
pub struct Connected {
    pub scope: String,
    pub accounts: Vec<(Account, Vec<Transaction>)>,
}

/// How many transactions per account the page lists.
const LATEST: usize = 10;

impl Integrator {
    pub async fn fetch(&self, code: &str) -> anyhow::Result<Connected> {
        let http = reqwest::Client::new();
        let redirect_uri = format!("{}/demo/callback", self.base);
        let response = http
            .post(format!("{}/auth/token", self.base))
            .basic_auth(self.client_id, Some(self.client_secret))
            .form(&[
                ("grant_type", "authorization_code"),
                ("code", code),
                ("redirect_uri", redirect_uri.as_str()),
            ])
            .send()
            .await
            .context("calling /auth/token")?;
        anyhow::ensure!(
            response.status().is_success(),
            "the token endpoint answered {}: {}",
            response.status(),
            response.text().await.unwrap_or_default()
        );
        let tokens: TokenResponse = response.json().await.context("reading the tokens")?;
        let bearer = tokens.access_token.as_str();
        let list: AccountList = http
            .get(format!("{}/rest/accounts", self.base))
            .bearer_auth(bearer)
            .send()
            .await
            .context("calling /rest/accounts")?
            .error_for_status()?
            .json()
            .await?;
        let mut accounts = Vec::with_capacity(list.accounts.len());
        for account in list.accounts {
            let transactions: TransactionList = http
                .get(format!(
                    "{}/rest/accounts/{}/transactions?count={LATEST}",
                    self.base, account.id
                ))
                .bearer_auth(bearer)
                .send()
                .await
                .context("calling the transactions endpoint")?
                .error_for_status()?
                .json()
                .await?;
            accounts.push((account, transactions.transactions));
        }
        Ok(Connected {
            scope: tokens.scope,
            accounts,
        })
    }
}

fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title} · Kontolink demo</title><link rel=\"stylesheet\" href=\"/demo/demo.css\">\
         </head><body><main><h1>{title}</h1>{body}<p><a href=\"/demo\" data-testid=\"demo-again\">Connect another bank</a></p></main></body></html>",
        title = escape(title),
    )
}

pub fn message(title: &str, text: &str) -> String {
    page(
        title,
        &format!("<p data-testid=\"demo-message\">{}</p>", escape(text)),
    )
}

pub fn accounts(data: &Connected) -> String {
    let mut body = format!(
        "<p>The code was exchanged server-side; the access token's scope is <code data-testid=\"demo-scope\">{}</code>.</p>",
        escape(&data.scope)
    );
    body.push_str("<section data-testid=\"demo-accounts\">");
    for (account, transactions) in &data.accounts {
        let balance = account
            .balance
            .as_ref()
            .map(|b| format!("{} {}", b.balance, b.currency))
            .unwrap_or_default();
        body.push_str(&format!(
            "<article data-testid=\"demo-account\"><h2>{name}</h2><p>{kind} · <span data-testid=\"demo-iban\">{iban}</span> · balance <strong>{balance}</strong></p>",
            name = escape(&account.name),
            kind = escape(&account.account_type),
            iban = escape(account.iban.as_deref().unwrap_or("")),
            balance = escape(&balance),
        ));
        body.push_str("<table><thead><tr><th>Date</th><th>Counterparty</th><th>Purpose</th><th>Amount</th></tr></thead><tbody>");
        for t in transactions {
            body.push_str(&format!(
                "<tr data-testid=\"demo-transaction\"><td>{}</td><td>{}</td><td>{}</td><td class=\"amount\">{} {}</td></tr>",
                escape(&t.booking_date),
                escape(t.name.as_deref().unwrap_or("")),
                escape(t.purpose.as_deref().unwrap_or("")),
                escape(&t.amount),
                escape(&t.currency),
            ));
        }
        body.push_str("</tbody></table></article>");
    }
    body.push_str("</section>");
    page("Connected", &body)
}

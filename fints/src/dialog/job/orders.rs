//! The business transactions: which to send for which account, and what their answers
//! hold.

use std::collections::VecDeque;

use super::{Job, Order, Phase};
use crate::codec::Segment;
use crate::dialog::error::{FintsError, classify};
use crate::dialog::state::{AccountResult, StatementFormat};
use crate::segments::account::{self, AccountRef};
use crate::segments::returns::Return;
use crate::segments::upd::Upd;
use crate::segments::{data, requests};
use crate::statements;

impl Job {
    pub(super) fn order_segments(&mut self, order: &Order) -> Option<Vec<Segment>> {
        let (kind, segment) = match order {
            Order::Accounts => {
                let version = self.bpd().and_then(|b| b.best_version("HKSPA", &[1, 2, 3]));
                match version {
                    Some(v) => ("HKSPA", requests::hkspa(v)),
                    None => {
                        // No SEPA account list: the UPD's accounts are all there is.
                        let upd = self.state.cache.upd.clone().unwrap_or_default();
                        self.set_accounts(Vec::new(), &upd);
                        return None;
                    }
                }
            }
            Order::Balance(index) => {
                let account = self.state.results.accounts.get(*index)?.account.clone();
                let version = self
                    .bpd()
                    .and_then(|b| b.best_version("HKSAL", &[5, 6, 7]))?;
                ("HKSAL", requests::hksal(version, &account, None))
            }
            Order::Statements {
                account,
                camt,
                touchdown,
            } => {
                let account = self.state.results.accounts.get(*account)?.account.clone();
                let since = self.state.params.since?;
                let until = self.state.params.today;
                match camt {
                    Some(format) => (
                        "HKCAZ",
                        requests::hkcaz(&account, format, since, until, touchdown.as_deref()),
                    ),
                    None => {
                        let version = self
                            .bpd()
                            .and_then(|b| b.best_version("HKKAZ", &[5, 6, 7]))?;
                        (
                            "HKKAZ",
                            requests::hkkaz(version, &account, since, until, touchdown.as_deref()),
                        )
                    }
                }
            }
        };
        let mut segments = vec![segment];
        let needs_tan = self.two_step() && self.bpd().is_some_and(|b| b.needs_tan(kind));
        if needs_tan {
            let version = self.hktan_version();
            let medium = self.state.medium.clone();
            segments.push(requests::hktan_process4(version, kind, medium.as_deref()));
        }
        Some(segments)
    }

    pub(super) fn after_order(
        &mut self,
        order: Order,
        segments: &[Segment],
        codes: &[Return],
    ) -> Result<(), FintsError> {
        if let Some(error) = classify(codes) {
            // A bank that offers camt.052 but refuses it for this account: MT940 instead.
            if let (
                Order::Statements {
                    account,
                    camt: Some(_),
                    touchdown: None,
                },
                FintsError::Bank {
                    temporary: false, ..
                },
            ) = (&order, &error)
                && self.bpd().is_some_and(|b| !b.versions("HKKAZ").is_empty())
            {
                self.state
                    .warnings
                    .push(format!("camt.052 refused, MT940 instead: {error}"));
                self.state.orders.push_front(Order::Statements {
                    account: *account,
                    camt: None,
                    touchdown: None,
                });
                self.state.phase = Phase::Work;
                return Ok(());
            }
            match (&order, &error) {
                // A bank that refuses one balance or one account's statements does not
                // end the sync: the rest is still worth having.
                (
                    Order::Balance(_) | Order::Statements { .. },
                    FintsError::Bank {
                        temporary: false, ..
                    },
                ) => {
                    self.state.warnings.push(format!("{order:?}: {error}"));
                    self.state.phase = Phase::Work;
                    return Ok(());
                }
                _ => return Err(error),
            }
        }
        if self.sca_or(segments, codes, Some(order.clone()), Phase::Work) {
            return Ok(());
        }
        match order {
            Order::Accounts => {
                let upd = self.state.cache.upd.clone().unwrap_or_default();
                self.set_accounts(account::sepa_accounts(segments), &upd);
            }
            Order::Balance(index) => {
                if let (Some(balance), Some(result)) = (
                    data::balance(segments),
                    self.state.results.accounts.get_mut(index),
                ) {
                    result.balance = Some((balance.booked, balance.currency, balance.date));
                    result.available = balance.available;
                }
            }
            Order::Statements { account, camt, .. } => {
                let page = if camt.is_some() {
                    data::camt(segments)
                } else {
                    data::mt940(segments)
                };
                for text in page.booked {
                    self.state.pages.push((account, camt.is_some(), true, text));
                }
                for text in page.pending {
                    self.state
                        .pages
                        .push((account, camt.is_some(), false, text));
                }
                let touchdown = codes
                    .iter()
                    .find(|r| r.code == "3040")
                    .and_then(|r| r.params.first().cloned())
                    .filter(|p| !p.is_empty());
                match touchdown {
                    Some(point) => self.state.orders.push_front(Order::Statements {
                        account,
                        camt,
                        touchdown: Some(point),
                    }),
                    None => self.finish_statements(account)?,
                }
            }
        }
        Ok(())
    }

    pub(super) fn finish_statements(&mut self, account: usize) -> Result<(), FintsError> {
        let pages: Vec<(usize, bool, bool, String)> = self
            .state
            .pages
            .iter()
            .filter(|p| p.0 == account)
            .cloned()
            .collect();
        self.state.pages.retain(|p| p.0 != account);
        let mut entries = Vec::new();
        let booked_mt940: String = pages
            .iter()
            .filter(|p| !p.1 && p.2)
            .map(|p| p.3.as_str())
            .collect::<Vec<_>>()
            .join("\r\n");
        let pending_mt942: String = pages
            .iter()
            .filter(|p| !p.1 && !p.2)
            .map(|p| p.3.as_str())
            .collect::<Vec<_>>()
            .join("\r\n");
        let parse_error =
            |e: statements::StatementError| FintsError::Protocol(format!("statement: {e}"));
        if !booked_mt940.trim().is_empty() {
            entries.extend(statements::parse_mt940(&booked_mt940, true).map_err(parse_error)?);
        }
        if !pending_mt942.trim().is_empty() {
            entries.extend(statements::parse_mt940(&pending_mt942, false).map_err(parse_error)?);
        }
        for page in pages.iter().filter(|p| p.1) {
            entries.extend(statements::parse_camt052(&page.3).map_err(parse_error)?);
        }
        if let Some(result) = self.state.results.accounts.get_mut(account) {
            result.entries.extend(entries);
            result.statements_fetched = true;
        }
        Ok(())
    }

    /// The accounts of the sync: the SEPA list (or the UPD's when there is none), each
    /// with its UPD entry; then the balance and statement orders for them.
    pub(super) fn set_accounts(&mut self, sepa: Vec<AccountRef>, upd: &Upd) {
        let blz = self.state.params.blz.clone();
        let accounts: Vec<AccountRef> = if sepa.is_empty() {
            upd.accounts
                .iter()
                .filter(|u| u.iban.is_some() || u.account_number.is_some())
                .map(|u| AccountRef {
                    iban: u.iban.clone(),
                    bic: None,
                    number: u.account_number.clone(),
                    subaccount: u.subaccount.clone(),
                    blz: u.blz.clone().unwrap_or_else(|| blz.clone()),
                })
                .collect()
        } else {
            sepa
        };
        let mut orders = VecDeque::new();
        let wanted = self.state.params.statements_for.clone();
        let format = self.state.params.statement_format;
        let camt_formats = self.bpd().map(|b| b.camt_formats()).unwrap_or_default();
        let has_kaz = self.bpd().is_some_and(|b| !b.versions("HKKAZ").is_empty());
        let has_sal = self.bpd().is_some_and(|b| !b.versions("HKSAL").is_empty());
        for (index, account) in accounts.iter().enumerate() {
            let entry = upd.accounts.iter().find(|u| {
                account.same_as(&AccountRef {
                    iban: u.iban.clone(),
                    bic: None,
                    number: u.account_number.clone(),
                    subaccount: u.subaccount.clone(),
                    blz: String::new(),
                })
            });
            let allows = |kind: &str| entry.is_none_or(|u| u.allows(kind));
            self.state.results.accounts.push(AccountResult {
                account: account.clone(),
                upd: entry.cloned(),
                balance: None,
                available: None,
                entries: Vec::new(),
                statements_fetched: false,
            });
            if has_sal && allows("HKSAL") {
                orders.push_back(Order::Balance(index));
            }
            let wanted_here = wanted
                .as_ref()
                .is_none_or(|keys| keys.contains(&account.key()));
            if self.state.params.since.is_none() || !wanted_here {
                continue;
            }
            let camt = camt_formats
                .iter()
                .max()
                .filter(|_| allows("HKCAZ") && account.iban.is_some())
                .cloned();
            let mt940 = (has_kaz && allows("HKKAZ")).then_some(());
            let choice = match (format, camt, mt940) {
                (StatementFormat::Mt940, _, Some(())) => Some(None),
                (_, Some(urn), _) => Some(Some(urn)),
                (_, None, Some(())) => Some(None),
                _ => None,
            };
            if let Some(camt) = choice {
                orders.push_back(Order::Statements {
                    account: index,
                    camt,
                    touchdown: None,
                });
            }
        }
        self.state.orders.extend(orders);
    }
}

//! Brute-force throttling of sign-ins and token use, as a pure decision
//! over the recent failures (storage keeps them; tests can replay any
//! timeline).
//!
//! Per account: the first failures are free; from the fifth consecutive
//! failure on, the next attempt must wait 2, 4, 8 … up to 60 seconds; and at
//! most 100 failures an hour are ever evaluated, after which the account is
//! locked until the oldest of them is an hour old.
//!
//! Per client address: at most 1,000 failures an hour over all accounts,
//! then nothing more is evaluated from it until the oldest is an hour old;
//! no delays. Many people share one address (an office, a GGD or a shelter
//! behind NAT, a mobile carrier), so a few colleagues mistyping must not slow
//! down or lock out everyone else there: the per-account delays stop guessing
//! at one account, and the address cap, ten times the per-account one, stops
//! one address spraying a password over many accounts. The address is the
//! connection's peer, or the client a trusted proxy names (`platform::proxy`).
//!
//! API tokens are 256-bit random secrets: guessing one is hopeless, so a
//! valid token is accepted before any throttle is consulted and the failures
//! of others never refuse it. Invalid tokens from an address count as the
//! failures of one account of their own (the same delays), and towards the
//! address's cap: a script left running with a revoked token is slowed to
//! about one try a minute and cannot fill the address's hour for everyone.
//!
//! Throttled attempts are refused without checking the password (or the
//! token) and do not count.

use chrono::{DateTime, Duration, Utc};

/// Failures evaluated per account per hour at most.
pub const ACCOUNT_LIMIT_PER_HOUR: usize = 100;
/// Failures per client address per hour at most, over all accounts and
/// tokens; well above the per-account limit, since many share an address.
pub const ADDRESS_LIMIT_PER_HOUR: usize = 1000;
/// Failures of an account that cost no delay.
pub const FREE_FAILURES: usize = 4;
/// The longest delay between attempts on an account.
pub const MAX_DELAY_SECONDS: i64 = 60;

/// The failures of the last hour for one key (account or address), oldest first.
#[derive(Debug, Clone, Default)]
pub struct Failures {
    pub times: Vec<DateTime<Utc>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Allow,
    /// Refused; try again at this time.
    Wait {
        until: DateTime<Utc>,
    },
}

impl Decision {
    /// Seconds to wait, rounded up, for a `Retry-After` header.
    pub fn retry_after(self, now: DateTime<Utc>) -> Option<i64> {
        match self {
            Decision::Allow => None,
            Decision::Wait { until } => {
                Some(((until - now).num_milliseconds() + 999).max(1000) / 1000)
            }
        }
    }
}

/// The delay owed after `failures` consecutive failures of an account.
pub fn delay_after(failures: usize) -> Duration {
    if failures <= FREE_FAILURES {
        return Duration::zero();
    }
    let exponent = (failures - FREE_FAILURES).min(16) as u32;
    Duration::seconds((1i64 << exponent).min(MAX_DELAY_SECONDS))
}

/// The failures of the hour before `now`.
fn last_hour(failures: &Failures, now: DateTime<Utc>) -> Vec<DateTime<Utc>> {
    let hour_ago = now - Duration::hours(1);
    failures
        .times
        .iter()
        .copied()
        .filter(|t| *t > hour_ago)
        .collect()
}

/// At most `limit` failures an hour: then wait until the oldest is an hour old.
fn capped(recent: &[DateTime<Utc>], limit: usize) -> Option<DateTime<Utc>> {
    (recent.len() >= limit).then(|| recent[0] + Duration::hours(1))
}

/// The account rule: growing delays after the free failures, and the cap.
fn account_wait(failures: &Failures, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let recent = last_hour(failures, now);
    capped(&recent, ACCOUNT_LIMIT_PER_HOUR).or_else(|| {
        let until = *recent.last()? + delay_after(recent.len());
        (until > now).then_some(until)
    })
}

/// The address rule: only the hourly cap.
fn address_wait(failures: &Failures, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    capped(&last_hour(failures, now), ADDRESS_LIMIT_PER_HOUR)
}

/// Whether an attempt may be evaluated now, given the recent failures of
/// its account (for an API token: of the invalid tokens from its address)
/// and of its address; the later of the two waits wins.
pub fn decide(account: &Failures, address: &Failures, now: DateTime<Utc>) -> Decision {
    account_wait(account, now)
        .into_iter()
        .chain(address_wait(address, now))
        .max()
        .map_or(Decision::Allow, |until| Decision::Wait { until })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn start() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-11-28T12:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn delays_grow_after_the_free_failures() {
        assert_eq!(delay_after(4), Duration::zero());
        assert_eq!(delay_after(5), Duration::seconds(2));
        assert_eq!(delay_after(6), Duration::seconds(4));
        assert_eq!(delay_after(9), Duration::seconds(32));
        assert_eq!(delay_after(10), Duration::seconds(60));
        assert_eq!(delay_after(500), Duration::seconds(60));
    }

    /// An attacker who tries one password a second for three hours, from one address.
    #[test]
    fn a_thousand_wrong_passwords_are_mostly_refused_unevaluated() {
        let mut account = Failures::default();
        let mut address = Failures::default();
        let mut evaluated = Vec::new();
        for second in 0..10_800 {
            let now = start() + Duration::seconds(second);
            if decide(&account, &address, now) == Decision::Allow {
                evaluated.push(now);
                account.times.push(now);
                address.times.push(now);
            }
            if evaluated.len() == 1000 {
                break;
            }
        }
        // Never more than 100 evaluated in any hour…
        for (i, t) in evaluated.iter().enumerate() {
            let within = evaluated[i..]
                .iter()
                .take_while(|u| **u < *t + Duration::hours(1))
                .count();
            assert!(
                within <= ACCOUNT_LIMIT_PER_HOUR,
                "{within} in the hour from {t}"
            );
        }
        // …and with the growing delays far fewer: 4 free, then one a minute.
        assert!(
            evaluated.len() < 3 * 70,
            "{} evaluated in 3 hours",
            evaluated.len()
        );
        let gaps: Vec<i64> = evaluated
            .windows(2)
            .map(|w| (w[1] - w[0]).num_seconds())
            .collect();
        assert_eq!(&gaps[..9], &[1, 1, 1, 1, 2, 4, 8, 16, 32]);
        assert!(gaps[9..].iter().all(|g| *g == 60));
    }

    #[test]
    fn a_full_hour_of_failures_locks_until_the_oldest_is_an_hour_old() {
        let account = Failures {
            times: (0..100).map(|i| start() + Duration::seconds(i)).collect(),
        };
        let now = start() + Duration::minutes(30);
        assert_eq!(
            decide(&account, &Failures::default(), now),
            Decision::Wait {
                until: start() + Duration::hours(1)
            }
        );
        let later = start() + Duration::hours(1) + Duration::seconds(1);
        assert_eq!(
            decide(&account, &Failures::default(), later),
            Decision::Allow
        );
    }

    /// An attacker spraying one password a second over 300 accounts from
    /// one address, for two hours: each account is tried every five
    /// minutes (its delays never bite), so the address cap does the work.
    #[test]
    fn one_address_spraying_many_accounts_is_capped_at_a_thousand_an_hour() {
        let mut accounts = vec![Failures::default(); 300];
        let mut address = Failures::default();
        let mut evaluated = Vec::new();
        for second in 0..7_200 {
            let now = start() + Duration::seconds(second);
            let account = &mut accounts[second as usize % 300];
            if decide(account, &address, now) == Decision::Allow {
                evaluated.push(now);
                account.times.push(now);
                address.times.push(now);
            }
        }
        for (i, t) in evaluated.iter().enumerate() {
            let within = evaluated[i..]
                .iter()
                .take_while(|u| **u < *t + Duration::hours(1))
                .count();
            assert!(
                within <= ADDRESS_LIMIT_PER_HOUR,
                "{within} in the hour from {t}"
            );
        }
        // The first thousand go at full speed, then nothing until the
        // oldest is an hour old, then a thousand again.
        assert_eq!(evaluated[999], start() + Duration::seconds(999));
        assert_eq!(evaluated[1000], start() + Duration::hours(1));
        assert_eq!(evaluated.len(), 2000);
    }

    /// Forty people behind one NAT address, some of whom mistype: a correct
    /// password of anyone else is evaluated at once, up to the address cap.
    #[test]
    fn failures_of_other_accounts_from_an_address_cost_no_delay() {
        let busy = |n: i64| Failures {
            times: (0..n).map(|i| start() + Duration::seconds(i)).collect(),
        };
        let now = start() + Duration::seconds(1_000);
        assert_eq!(
            decide(&Failures::default(), &busy(40), now),
            Decision::Allow
        );
        assert_eq!(
            decide(&Failures::default(), &busy(999), now),
            Decision::Allow
        );
        assert_eq!(
            decide(&Failures::default(), &busy(1000), now),
            Decision::Wait {
                until: start() + Duration::hours(1)
            }
        );
        // The account's own delays still apply on a busy address.
        let account = Failures {
            times: (0..5).map(|i| now - Duration::seconds(4 - i)).collect(),
        };
        assert!(matches!(
            decide(&account, &busy(40), now),
            Decision::Wait { .. }
        ));
    }

    /// A script left running with a revoked token, one try a second for an
    /// hour: its invalid tokens wait like one account's failures, so it
    /// leaves the address's cap almost untouched for the people behind it.
    #[test]
    fn a_script_with_a_revoked_token_cannot_fill_its_address_hour() {
        let mut tokens = Failures::default();
        let mut address = Failures::default();
        for second in 0..3_600 {
            let now = start() + Duration::seconds(second);
            if decide(&tokens, &address, now) == Decision::Allow {
                tokens.times.push(now);
                address.times.push(now);
            }
        }
        assert!(
            (60..=70).contains(&tokens.times.len()),
            "{} invalid tokens evaluated in an hour",
            tokens.times.len()
        );
        let colleague = start() + Duration::seconds(3_600);
        assert_eq!(
            decide(&Failures::default(), &address, colleague),
            Decision::Allow
        );
    }

    #[test]
    fn retry_after_rounds_up() {
        let now = start();
        let wait = Decision::Wait {
            until: now + Duration::milliseconds(1500),
        };
        assert_eq!(wait.retry_after(now), Some(2));
        assert_eq!(Decision::Allow.retry_after(now), None);
    }
}

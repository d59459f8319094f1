//! Brute-force throttling of logins and token use, as a pure decision over
//! the recent failures (storage keeps them; tests can replay any timeline).
//!
//! Per account: the first failures are free; from the fifth consecutive
//! failure on, the next attempt must wait 2, 4, 8 … up to 60 seconds; and at
//! most 100 failures an hour are ever evaluated, after which the account is
//! locked until the oldest of them is an hour old. Per address: at most 300
//! failures an hour, whatever the accounts, with the same delays. Throttled
//! attempts are refused without checking the password and do not count.

use chrono::{DateTime, Duration, Utc};

/// Failures evaluated per account per hour at most.
pub const ACCOUNT_LIMIT_PER_HOUR: usize = 100;
/// Failures per client address per hour at most.
pub const ADDRESS_LIMIT_PER_HOUR: usize = 300;
/// Failures that cost no delay.
pub const FREE_FAILURES: usize = 4;
/// The longest delay between attempts.
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

/// The delay owed after `failures` consecutive failures.
pub fn delay_after(failures: usize) -> Duration {
    if failures <= FREE_FAILURES {
        return Duration::zero();
    }
    let exponent = (failures - FREE_FAILURES).min(16) as u32;
    Duration::seconds((1i64 << exponent).min(MAX_DELAY_SECONDS))
}

fn decide_one(failures: &Failures, limit: usize, now: DateTime<Utc>) -> Decision {
    let hour_ago = now - Duration::hours(1);
    let recent: Vec<&DateTime<Utc>> = failures.times.iter().filter(|t| **t > hour_ago).collect();
    if recent.len() >= limit {
        let oldest = **recent.first().expect("at least one");
        return Decision::Wait {
            until: oldest + Duration::hours(1),
        };
    }
    match recent.last() {
        Some(last) => {
            let until = **last + delay_after(recent.len());
            if until > now {
                Decision::Wait { until }
            } else {
                Decision::Allow
            }
        }
        None => Decision::Allow,
    }
}

/// Whether an attempt may be evaluated now, given the account's and the
/// address's recent failures; the later of the two waits wins.
pub fn decide(account: &Failures, address: &Failures, now: DateTime<Utc>) -> Decision {
    let decisions = [
        decide_one(account, ACCOUNT_LIMIT_PER_HOUR, now),
        decide_one(address, ADDRESS_LIMIT_PER_HOUR, now),
    ];
    decisions
        .into_iter()
        .filter_map(|d| match d {
            Decision::Wait { until } => Some(until),
            Decision::Allow => None,
        })
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

    #[test]
    fn one_address_trying_many_accounts_is_throttled_too() {
        let address = Failures {
            times: (0..300)
                .map(|i| start() + Duration::seconds(i * 10))
                .collect(),
        };
        let now = start() + Duration::minutes(55);
        assert!(matches!(
            decide(&Failures::default(), &address, now),
            Decision::Wait { .. }
        ));
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

//! The planner: pure decisions over states, no register, no network, no clock of its own (the
//! instant and the randomness are passed in). What to do with each waiting message, what an
//! attempt's outcome makes of it, and when the worker tries again.
//!
//! The rules (ADR 0006):
//! * a message whose last attempt may have reached the hub (`unknown`) is **asked about** before it
//!   is sent again, never sent blindly;
//! * a transport failure ends the pass: the link is down, trying the next message would only wait
//!   for the same timeout again;
//! * the hub's permanent refusal fails the message (the clerk is told); a transient one defers only
//!   that message;
//! * passes are retried with exponential backoff and full jitter, capped, reset by a success.

use std::time::Duration;

use time::OffsetDateTime;
use vanthu_store::exchange::{OutboxMessage, OutboxState};

use crate::error::HubError;
use crate::hub::Accepted;

/// How often and how patiently the worker works.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Policy {
    /// The first backoff's ceiling.
    pub base: Duration,
    /// The largest backoff.
    pub cap: Duration,
    /// The pause between passes while the link is up.
    pub poll: Duration,
}

impl Default for Policy {
    fn default() -> Self {
        Policy { base: Duration::from_secs(2), cap: Duration::from_secs(300), poll: Duration::from_secs(30) }
    }
}

/// The wait after `failures` failures in a row: uniform in `[0, min(cap, base · 2^(failures-1))]`
/// ("full jitter", so that a province's stations coming back together do not knock together).
/// `unit` is a random number in `[0, 1)`.
pub fn backoff(policy: &Policy, failures: u32, unit: f64) -> Duration {
    if failures == 0 {
        return Duration::ZERO;
    }
    let exp = failures.saturating_sub(1).min(30);
    let ceiling = policy.base.saturating_mul(1u32 << exp).min(policy.cap);
    ceiling.mul_f64(unit.clamp(0.0, 1.0))
}

/// What to do with a waiting message now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// Send it.
    Send(i64),
    /// Ask the hub whether it holds it (its last attempt may have reached it).
    Ask(i64),
}

/// The steps of a pass, oldest message first: messages not deferred past `now`.
pub fn plan(waiting: &[OutboxMessage], now: OffsetDateTime) -> Vec<Step> {
    waiting
        .iter()
        .filter(|m| {
            m.next_attempt_at
                .as_deref()
                .and_then(|t| OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339).ok())
                .is_none_or(|t| t <= now)
        })
        .filter_map(|m| match m.state {
            OutboxState::Pending => Some(Step::Send(m.id)),
            OutboxState::Unknown => Some(Step::Ask(m.id)),
            OutboxState::Sent | OutboxState::Failed => None,
        })
        .collect()
}

/// What an attempt makes of a message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The hub holds it.
    Sent {
        /// The hub's id.
        hub_id: String,
    },
    /// It stays to send; `next_attempt_at` defers it.
    Retry {
        /// `Pending`, or `Unknown` when the hub may hold it.
        state: OutboxState,
        /// What happened.
        error: String,
        /// Not before.
        next_attempt_at: Option<OffsetDateTime>,
    },
    /// The hub refuses it for good.
    Failed {
        /// Why.
        error: String,
    },
}

/// Whether the pass goes on after this attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Then {
    /// Next message.
    Continue,
    /// The link or the account is down: end the pass (and back off).
    Stop,
}

/// The outcome of sending (or asking about) a message that had `attempts` attempts before.
pub fn after_attempt(
    result: &Result<Accepted, HubError>,
    was: OutboxState,
    attempts: u32,
    policy: &Policy,
    now: OffsetDateTime,
    unit: f64,
) -> (Outcome, Then) {
    match result {
        Ok(accepted) => (Outcome::Sent { hub_id: accepted.hub_id.clone() }, Then::Continue),
        Err(e) => {
            let error = e.to_string();
            match e {
                HubError::Unreachable(_) => (Outcome::Retry { state: was, error, next_attempt_at: None }, Then::Stop),
                HubError::Interrupted(_) | HubError::Protocol(_) => {
                    (Outcome::Retry { state: OutboxState::Unknown, error, next_attempt_at: None }, Then::Stop)
                }
                HubError::Auth(_) => (Outcome::Retry { state: was, error, next_attempt_at: None }, Then::Stop),
                HubError::Refused { permanent: true, .. } => (Outcome::Failed { error }, Then::Continue),
                HubError::Refused { permanent: false, .. } => {
                    let wait = backoff(policy, attempts.saturating_add(1), unit);
                    (Outcome::Retry { state: was, error, next_attempt_at: Some(now + wait) }, Then::Continue)
                }
            }
        }
    }
}

/// When the next pass starts, after one that succeeded (`failures == 0`) or after `failures` failed
/// passes in a row.
pub fn next_pass(policy: &Policy, failures: u32, now: OffsetDateTime, unit: f64) -> OffsetDateTime {
    if failures == 0 {
        now + policy.poll
    } else {
        now + backoff(policy, failures, unit).max(Duration::from_millis(200))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn message(id: i64, state: OutboxState, next: Option<&str>) -> OutboxMessage {
        OutboxMessage {
            id,
            document: None,
            messagetype: vanthu_store::exchange::MessageType::Edoc,
            document_id: "d".into(),
            kind: "edoc:0".into(),
            recipients: vec![],
            sha256: String::new(),
            size: 1,
            state,
            attempts: 0,
            next_attempt_at: next.map(str::to_owned),
            last_error: None,
            hub_doc_id: None,
            created_at: String::new(),
            sent_at: None,
        }
    }

    #[test]
    fn unknown_messages_are_asked_about_and_deferred_ones_wait() {
        let now = datetime!(2026-11-22 10:00 +07:00);
        let waiting = [
            message(1, OutboxState::Pending, None),
            message(2, OutboxState::Unknown, None),
            message(3, OutboxState::Pending, Some("2026-11-22T10:05:00+07:00")),
            message(4, OutboxState::Pending, Some("2026-11-22T09:59:59+07:00")),
        ];
        assert_eq!(plan(&waiting, now), vec![Step::Send(1), Step::Ask(2), Step::Send(4)]);
    }

    #[test]
    fn backoff_is_full_jitter_under_an_exponential_capped_ceiling() {
        let p = Policy { base: Duration::from_secs(2), cap: Duration::from_secs(60), poll: Duration::from_secs(30) };
        let check = |failures, unit, expect_secs: f64| {
            let got = backoff(&p, failures, unit).as_secs_f64();
            // Durations are whole nanoseconds.
            assert!((got - expect_secs).abs() < 1e-8, "failures {failures}, unit {unit}: {got} s, not {expect_secs} s");
        };
        check(0, 0.9, 0.0);
        check(1, 0.999_999, 2.0 * 0.999_999);
        check(1, 0.5, 1.0);
        check(2, 0.5, 2.0);
        check(3, 0.5, 4.0);
        check(6, 1.0, 60.0); // 64 s capped at 60
        check(40, 0.25, 15.0); // no overflow, still capped
        check(3, 0.0, 0.0);
    }

    #[test]
    fn outcomes_follow_what_the_hub_may_hold() {
        let p = Policy::default();
        let now = datetime!(2026-11-22 10:00 +07:00);
        let run = |r: Result<Accepted, HubError>, was| after_attempt(&r, was, 2, &p, now, 0.5);
        assert_eq!(
            run(Ok(Accepted { hub_id: "h1".into(), duplicate: true }), OutboxState::Unknown),
            (Outcome::Sent { hub_id: "h1".into() }, Then::Continue)
        );
        // Nothing left: it stays as it was (an unknown one stays unknown), and the pass ends.
        let (o, t) = run(Err(HubError::Unreachable("refused".into())), OutboxState::Unknown);
        assert!(matches!(o, Outcome::Retry { state: OutboxState::Unknown, next_attempt_at: None, .. }), "{o:?}");
        assert_eq!(t, Then::Stop);
        let (o, _) = run(Err(HubError::Unreachable("refused".into())), OutboxState::Pending);
        assert!(matches!(o, Outcome::Retry { state: OutboxState::Pending, .. }), "{o:?}");
        // Cut after the upload began: the hub may hold it.
        let (o, t) = run(Err(HubError::Interrupted("reset".into())), OutboxState::Pending);
        assert!(matches!(o, Outcome::Retry { state: OutboxState::Unknown, .. }), "{o:?}");
        assert_eq!(t, Then::Stop);
        let refused = |permanent| HubError::Refused { code: "X".into(), message: "m".into(), permanent };
        let (o, t) = run(Err(refused(true)), OutboxState::Pending);
        assert!(matches!(o, Outcome::Failed { .. }), "{o:?}");
        assert_eq!(t, Then::Continue);
        let (o, t) = run(Err(refused(false)), OutboxState::Pending);
        assert_eq!(t, Then::Continue);
        match o {
            // Third attempt: ceiling 2 s · 2² = 8 s, half of it.
            Outcome::Retry { state: OutboxState::Pending, next_attempt_at: Some(at), .. } => {
                assert_eq!(at, now + Duration::from_secs(4))
            }
            other => panic!("{other:?}"),
        }
        let (_, t) = run(Err(HubError::Auth("no".into())), OutboxState::Pending);
        assert_eq!(t, Then::Stop);
    }

    #[test]
    fn the_next_pass_polls_when_up_and_backs_off_when_down() {
        let p = Policy::default();
        let now = datetime!(2026-11-22 10:00 +07:00);
        assert_eq!(next_pass(&p, 0, now, 0.7), now + p.poll);
        assert_eq!(next_pass(&p, 3, now, 0.5), now + Duration::from_secs(4));
        assert_eq!(next_pass(&p, 1, now, 0.0), now + Duration::from_millis(200));
    }
}

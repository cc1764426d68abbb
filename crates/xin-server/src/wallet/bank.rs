//! Where money comes from and goes to. A real deployment plugs a payment provider in behind
//! [`BankProvider`]; this build has only [`SandboxBank`], which moves no real money and says so
//! in every card it issues (`sandbox: true`, shown in the apps).

use futures_util::future::BoxFuture;

/// Why a bank refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BankRefusal {
    /// Not a card number (length or check digit).
    InvalidNumber,
    Declined(String),
}

/// A payment provider: checks cards, takes money from them, pays money out to them. Calls carry
/// the wallet request's idempotency key, so a retry after a crash is not charged twice.
pub trait BankProvider: Send + Sync {
    /// The bank's name for a card number, if the number is a card.
    fn card_bank(&self, number: &str) -> Result<String, BankRefusal>;
    /// Takes `amount_fen` from the card (a top-up).
    fn charge<'a>(
        &'a self,
        last4: &'a str,
        amount_fen: i64,
        key: &'a str,
    ) -> BoxFuture<'a, Result<(), BankRefusal>>;
    /// Pays `amount_fen` out to the card (a withdrawal).
    fn payout<'a>(
        &'a self,
        last4: &'a str,
        amount_fen: i64,
        key: &'a str,
    ) -> BoxFuture<'a, Result<(), BankRefusal>>;
}

/// The sandbox: every valid card number works, except the test numbers ending in 0002 (always
/// declined, as at real providers' sandboxes) and 0010 (a payout fails the first time it is
/// asked for under a key and succeeds when asked again: a bank that was briefly unreachable).
#[derive(Default)]
pub struct SandboxBank {
    /// Payout keys already asked for on an 0010 card.
    flaky_payouts: std::sync::Mutex<std::collections::HashSet<String>>,
}

/// The Luhn check digit every card number carries.
pub fn luhn(number: &str) -> bool {
    let digits: Option<Vec<u32>> = number.chars().map(|c| c.to_digit(10)).collect();
    let Some(digits) = digits else { return false };
    if !(16..=19).contains(&digits.len()) {
        return false;
    }
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| match (i % 2, d * 2) {
            (1, twice) if twice > 9 => twice - 9,
            (1, twice) => twice,
            _ => d,
        })
        .sum();
    sum.is_multiple_of(10)
}

fn sandbox_decision(last4: &str) -> Result<(), BankRefusal> {
    if last4 == "0002" {
        Err(BankRefusal::Declined(
            "The sandbox bank declined this card (test number ending in 0002).".into(),
        ))
    } else {
        Ok(())
    }
}

impl BankProvider for SandboxBank {
    fn card_bank(&self, number: &str) -> Result<String, BankRefusal> {
        if !luhn(number) {
            return Err(BankRefusal::InvalidNumber);
        }
        Ok("Sandbox Bank".into())
    }

    fn charge<'a>(
        &'a self,
        last4: &'a str,
        _amount_fen: i64,
        _key: &'a str,
    ) -> BoxFuture<'a, Result<(), BankRefusal>> {
        Box::pin(async move { sandbox_decision(last4) })
    }

    fn payout<'a>(
        &'a self,
        last4: &'a str,
        _amount_fen: i64,
        key: &'a str,
    ) -> BoxFuture<'a, Result<(), BankRefusal>> {
        Box::pin(async move {
            if last4 == "0010" {
                let mut asked = self.flaky_payouts.lock().unwrap_or_else(|p| p.into_inner());
                if asked.insert(key.to_string()) {
                    return Err(BankRefusal::Declined(
                        "The sandbox bank could not be reached (test number ending in 0010)."
                            .into(),
                    ));
                }
            }
            sandbox_decision(last4)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::luhn;

    #[test]
    fn card_numbers_are_checked_by_their_luhn_digit() {
        assert!(luhn("4242424242424242"));
        assert!(luhn("4000000000000002"));
        assert!(!luhn("4242424242424241"));
        assert!(!luhn("42424242"));
        assert!(!luhn("4242 4242 4242 4242"));
    }
}

//! Developer mode: an account's webhook and secret, the durable queue of deliveries (each keeps
//! its id across retries), and access tokens for the account's own server.

use uuid::Uuid;
use xin_proto::{
    Developer, ErrorCode, OfficialMessage, WebhookEvent, WebhookKind, OFFICIAL_TOKEN_SECS,
    WEBHOOK_RETRIES,
};

use crate::store::{
    official::owned,
    sql::{self, Conn},
    writer::WriteCx,
    Store,
};
use crate::{
    error::{ApiError, ApiResult},
    secrets::{hash_token, new_token},
    time::now_ms,
};

/// A delivery due now: its id, where it goes, the secret that signs it, the body, tries so far.
pub struct DueDelivery {
    pub id: String,
    pub account: String,
    pub url: String,
    pub secret: String,
    pub body: String,
    pub attempts: i64,
}

fn developer(c: &Conn, account: Uuid) -> ApiResult<Option<(Option<String>, String)>> {
    sql::one(
        c,
        "SELECT webhook_url, secret FROM official_developer WHERE account_id = $1",
        &[&account.to_string()],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
}

/// Queues an event for the account's webhook, if it has one.
pub(in crate::store) fn enqueue(
    cx: &mut WriteCx,
    account: Uuid,
    user: Uuid,
    kind: WebhookKind,
    text: Option<String>,
    scene: Option<String>,
) -> ApiResult<()> {
    let Some((Some(_), _)) = developer(&cx.conn, account)? else {
        return Ok(());
    };
    let event = WebhookEvent {
        id: Uuid::now_v7(),
        account_id: account,
        user_id: user,
        kind,
        text,
        scene,
        at: now_ms(),
    };
    enqueue_body(cx, account, event.id, &event)
}

/// Queues any delivery body for the account's webhook, if it has one; `id` is the delivery's.
pub(in crate::store) fn enqueue_body(
    cx: &mut WriteCx,
    account: Uuid,
    id: Uuid,
    event: &impl serde::Serialize,
) -> ApiResult<()> {
    let Some((Some(_), _)) = developer(&cx.conn, account)? else {
        return Ok(());
    };
    let body = serde_json::to_string(event).map_err(|e| ApiError::Internal(e.to_string()))?;
    sql::exec(
        &cx.conn,
        "INSERT INTO official_webhook_queue (id, account_id, body, next_at, state)
         VALUES ($1, $2, $3, $4, 'pending')",
        &[&id.to_string(), &account.to_string(), &body, &now_ms()],
    )?;
    Ok(())
}

impl Store {
    /// The developer settings (a secret is made the first time).
    pub async fn developer(&self, owner: Uuid, id: Uuid) -> ApiResult<Developer> {
        self.write(move |cx| {
            owned(&cx.conn, owner, id)?;
            sql::exec(
                &cx.conn,
                "INSERT INTO official_developer (account_id, secret) VALUES ($1, $2)
                 ON CONFLICT DO NOTHING",
                &[&id.to_string(), &new_token()],
            )?;
            let (webhook_url, secret) = developer(&cx.conn, id)?
                .ok_or_else(|| ApiError::Internal("developer settings vanished".into()))?;
            Ok(Developer {
                webhook_url,
                secret,
            })
        })
        .await
    }

    /// Sets (or clears) the webhook; the caller checked the address.
    pub async fn set_webhook(
        &self,
        owner: Uuid,
        id: Uuid,
        url: Option<String>,
    ) -> ApiResult<Developer> {
        self.developer(owner, id).await?;
        self.write(move |cx| {
            sql::exec(
                &cx.conn,
                "UPDATE official_developer SET webhook_url = $1 WHERE account_id = $2",
                &[&url, &id.to_string()],
            )?;
            Ok(())
        })
        .await?;
        self.developer(owner, id).await
    }

    /// Deliveries due at `now`: the `per_account` oldest of each account, oldest first, so an
    /// account with a long backlog takes no more of a pass than any other.
    /// Claims deliveries that are due, at most `per_account` of one account and `limit` in
    /// all, until `lease_until`: another node (or a later pass) leaves a claimed delivery alone
    /// until then, so each attempt is made once; a node that dies mid-delivery leaves it to be
    /// tried again when the lease ends.
    pub async fn due_webhooks(
        &self,
        now: i64,
        per_account: i64,
        limit: i64,
        lease_until: i64,
    ) -> ApiResult<Vec<DueDelivery>> {
        self.write(move |cx| {
                let c = &cx.conn;
                let due = sql::all(
                    c,
                    "SELECT id, account_id, webhook_url, secret, body, attempts FROM (
                       SELECT q.id, q.account_id, d.webhook_url, d.secret, q.body, q.attempts, q.next_at,
                              ROW_NUMBER() OVER (PARTITION BY q.account_id ORDER BY q.next_at) AS nth
                       FROM official_webhook_queue q JOIN official_developer d ON d.account_id = q.account_id
                       WHERE q.state = 'pending' AND q.next_at <= $1 AND d.webhook_url IS NOT NULL) AS due
                     WHERE nth <= $2 ORDER BY next_at LIMIT $3",
                    &[&now, &per_account, &limit],
                    |r| {
                        Ok(DueDelivery {
                            id: r.get(0)?,
                            account: r.get(1)?,
                            url: r.get(2)?,
                            secret: r.get(3)?,
                            body: r.get(4)?,
                            attempts: r.get(5)?,
                        })
                    },
                )?;
                let mut claimed = Vec::with_capacity(due.len());
                for d in due {
                    // Taken by another node since it was read: its next_at moved on.
                    let won = sql::exec(
                        c,
                        "UPDATE official_webhook_queue SET next_at = $2
                         WHERE id = $1 AND state = 'pending' AND next_at <= $3",
                        &[&d.id, &lease_until, &now],
                    )?;
                    if won == 1 {
                        claimed.push(d);
                    }
                }
                Ok(claimed)
            })
            .await
    }

    /// Deliveries waiting to be sent, due or not: the queue's depth, for the metrics.
    pub async fn webhooks_pending(&self) -> ApiResult<i64> {
        self.reads
            .run(|c| {
                let n = sql::one(
                    c,
                    "SELECT COUNT(*) FROM official_webhook_queue WHERE state = 'pending'",
                    &[],
                    |r| r.get::<_, i64>(0),
                )?;
                Ok(n.unwrap_or(0))
            })
            .await
    }

    /// Gives back a claimed delivery that was not attempted: due again now.
    pub async fn webhook_released(&self, id: String) -> ApiResult<()> {
        self.write(move |cx| {
            sql::exec(
                &cx.conn,
                "UPDATE official_webhook_queue SET next_at = $2 WHERE id = $1 AND state = 'pending'",
                &[&id, &now_ms()],
            )?;
            Ok(())
        })
        .await
    }

    /// Records an attempt: delivered, or tried again after `retry_in` ms, or given up after the
    /// last retry.
    pub async fn webhook_attempted(
        &self,
        id: String,
        delivered: bool,
        retry_in: i64,
    ) -> ApiResult<()> {
        self.write(move |cx| {
            sql::exec(
                &cx.conn,
                "UPDATE official_webhook_queue SET attempts = attempts + 1,
                   state = CASE WHEN $2 THEN 'delivered' WHEN attempts + 1 > $3 THEN 'failed' ELSE 'pending' END,
                   next_at = $4
                 WHERE id = $1",
                &[&id, &delivered, &WEBHOOK_RETRIES, &(now_ms() + retry_in)],
            )?;
            Ok(())
        })
        .await
    }

    /// The account's server trades its secret for a 2-hour access token.
    pub async fn official_token(&self, account: Uuid, secret: String) -> ApiResult<String> {
        self.write(move |cx| {
            let known = developer(&cx.conn, account)?.map(|(_, s)| s);
            let matches = known.is_some_and(|k| {
                blake3::hash(k.as_bytes()) == blake3::hash(secret.as_bytes())
            });
            if !matches {
                return Err(ApiError::new(
                    ErrorCode::InvalidCredentials,
                    "Unknown account or wrong secret.",
                ));
            }
            let token = new_token();
            let now = now_ms();
            sql::exec(
                &cx.conn,
                "DELETE FROM official_tokens WHERE expires_at <= $1",
                &[&now],
            )?;
            sql::exec(
                &cx.conn,
                "INSERT INTO official_tokens (token_hash, account_id, expires_at) VALUES ($1, $2, $3)",
                &[&hash_token(&token), &account.to_string(), &(now + OFFICIAL_TOKEN_SECS * 1000)],
            )?;
            Ok(token)
        })
        .await
    }

    /// The account an access token stands for, while it lives.
    pub async fn token_account(&self, token: String) -> ApiResult<Uuid> {
        self.reads
            .run(move |c| {
                let account: Option<String> = sql::one(
                    c,
                    "SELECT account_id FROM official_tokens WHERE token_hash = $1 AND expires_at > $2",
                    &[&hash_token(&token), &now_ms()],
                    |r| r.get(0),
                )?;
                let account = account.ok_or_else(|| {
                    ApiError::new(
                        ErrorCode::TokenExpired,
                        "The access token is unknown or older than two hours: get a new one.",
                    )
                })?;
                crate::store::parse_uuid(&account)
            })
            .await
    }

    /// A reply through the API, under the same 48-hour rule as the console's.
    pub async fn api_reply(
        &self,
        account: Uuid,
        user: Uuid,
        text: String,
    ) -> ApiResult<OfficialMessage> {
        self.write(move |cx| crate::store::official::chat::answer(cx, account, user, &text))
            .await
    }
}

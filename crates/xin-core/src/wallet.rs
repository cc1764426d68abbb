//! The wallet, as the desktop uses it: read from the server (money is never cached as truth),
//! every movement carrying an idempotency key made once per user action, so a retry after a
//! network error cannot pay twice.

use reqwest::Method;
use serde::{de::DeserializeOwned, Serialize};
use uuid::Uuid;
use xin_proto::{
    AddCard, BankCard, BankMove, Bill, Bills, Envelope, MoneyTransfer, SendEnvelope, SendTransfer,
    SetPin, Wallet,
};

use crate::{
    engine::Engine,
    error::{CoreError, CoreResult},
    views::ReceiveCode,
};

impl Engine {
    pub(crate) async fn authed_call<B: Serialize + Sync, T: DeserializeOwned>(
        &self,
        method: Method,
        path: String,
        body: Option<B>,
    ) -> CoreResult<Option<T>> {
        let account = self.require_account().await?;
        let api = account.api.clone();
        account
            .with_access(|access| {
                let (api, method, path) = (api.clone(), method.clone(), path.clone());
                let body = body.as_ref();
                async move { api.send(method, &path, &access, body).await }
            })
            .await
    }

    pub(crate) async fn authed_json<B: Serialize + Sync, T: DeserializeOwned>(
        &self,
        method: Method,
        path: String,
        body: Option<B>,
    ) -> CoreResult<T> {
        self.authed_call(method, path, body)
            .await?
            .ok_or_else(|| crate::error::CoreError::Protocol("empty answer".into()))
    }

    pub async fn wallet(&self) -> CoreResult<Wallet> {
        self.authed_json::<(), _>(Method::GET, "/wallet".into(), None)
            .await
    }

    pub async fn bills(&self) -> CoreResult<Vec<Bill>> {
        let bills: Bills = self
            .authed_json::<(), _>(Method::GET, "/wallet/bills".into(), None)
            .await?;
        Ok(bills.bills)
    }

    pub async fn add_card(&self, number: String) -> CoreResult<BankCard> {
        self.authed_json(
            Method::POST,
            "/wallet/cards".into(),
            Some(AddCard { number }),
        )
        .await
    }

    pub async fn set_pin(&self, pin: String, old_pin: Option<String>) -> CoreResult<()> {
        self.authed_call::<_, serde_json::Value>(
            Method::PUT,
            "/wallet/pin".into(),
            Some(SetPin { pin, old_pin }),
        )
        .await
        .map(|_| ())
    }

    /// A top-up (`withdraw` false) or a withdrawal; `key` is made by the UI once per action.
    pub async fn bank_move(&self, withdraw: bool, req: BankMove) -> CoreResult<Bill> {
        let path = if withdraw {
            "/wallet/withdraw"
        } else {
            "/wallet/top-up"
        };
        self.authed_json(Method::POST, path.into(), Some(req)).await
    }

    pub async fn send_transfer(&self, req: SendTransfer) -> CoreResult<MoneyTransfer> {
        self.authed_json(Method::POST, "/wallet/transfers".into(), Some(req))
            .await
    }

    pub async fn transfer(&self, id: Uuid) -> CoreResult<MoneyTransfer> {
        self.authed_json::<(), _>(Method::GET, format!("/wallet/transfers/{id}"), None)
            .await
    }

    pub async fn envelope(&self, id: Uuid) -> CoreResult<Envelope> {
        self.authed_json::<(), _>(Method::GET, format!("/wallet/envelopes/{id}"), None)
            .await
    }

    pub async fn send_envelope(&self, req: SendEnvelope) -> CoreResult<Envelope> {
        self.authed_json(Method::POST, "/wallet/envelopes".into(), Some(req))
            .await
    }

    pub async fn grab_envelope(&self, id: Uuid) -> CoreResult<Envelope> {
        self.authed_json::<(), _>(Method::POST, format!("/wallet/envelopes/{id}/grab"), None)
            .await
    }

    /// My receive code, optionally asking for an amount (fen) with a note.
    pub async fn receive_code(
        &self,
        amount_fen: Option<i64>,
        note: String,
    ) -> CoreResult<ReceiveCode> {
        let me = self.signed_in().await?.user.clone();
        let health = self.api().health().await?;
        let base = format!(
            "{}/m/pay/{}",
            health.public_url.trim_end_matches('/'),
            me.handle
        );
        let mut url = reqwest::Url::parse(&base)
            .map_err(|e| CoreError::Protocol(format!("server address {base}: {e}")))?;
        let note = note.trim().to_string();
        if let Some(fen) = amount_fen {
            if !(1..=xin_proto::MAX_AMOUNT_FEN).contains(&fen) {
                return Err(CoreError::Api {
                    code: xin_proto::ErrorCode::InvalidRequest,
                    message: format!(
                        "An amount from ¥0.01 to ¥{}.",
                        xin_proto::MAX_AMOUNT_FEN / 100
                    ),
                });
            }
            url.query_pairs_mut().append_pair("fen", &fen.to_string());
        }
        if !note.is_empty() {
            url.query_pairs_mut().append_pair("note", &note);
        }
        let url = url.to_string();
        Ok(ReceiveCode {
            svg: crate::qr::svg(&url)?,
            url,
            amount_fen,
            note,
        })
    }

    pub async fn answer_transfer(&self, id: Uuid, accept: bool) -> CoreResult<MoneyTransfer> {
        let verb = if accept { "accept" } else { "decline" };
        self.authed_json::<(), _>(Method::POST, format!("/wallet/transfers/{id}/{verb}"), None)
            .await
    }
}

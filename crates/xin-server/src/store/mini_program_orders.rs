//! Mini-program orders: created by the mini-program's backend for one of its users (by openid),
//! paid once by that user from their wallet to the publishing account's owner, with a webhook
//! delivery to the publisher.

use uuid::Uuid;
use xin_proto::{
    BillKind, ErrorCode, EventBody, MiniProgramOrder, NewOrder, OrderPaidEvent, OrderState,
    Payment, PaymentVia,
};

use super::{
    ledger::{self, Entry, Posting},
    mini_programs::of_account,
    official::enqueue_body,
    sql::{self, Conn},
    writer::WriteCx,
    Store,
};
use crate::{
    error::{ApiError, ApiResult},
    rules::money as rules,
    time::now_ms,
};

fn not_found() -> ApiError {
    ApiError::new(ErrorCode::OrderNotFound, "There is no such order.")
}

const SELECT: &str = "SELECT o.id, o.mini_program_id, m.name, o.out_trade_no, o.openid,
        o.description, o.amount_fen, a.name, o.state, o.created_at, o.paid_at
     FROM mini_program_orders o
     JOIN mini_programs m ON m.id = o.mini_program_id
     JOIN official_accounts a ON a.id = m.account_id";

fn order(c: &Conn, filter: &str, params: &[&dyn sql::Param]) -> ApiResult<MiniProgramOrder> {
    let row = sql::one(c, &format!("{SELECT} {filter}"), params, |r| {
        Ok((
            [r.get::<_, String>(0)?, r.get(1)?],
            MiniProgramOrder {
                id: Uuid::nil(),
                mini_program_id: Uuid::nil(),
                mini_program_name: r.get(2)?,
                out_trade_no: r.get(3)?,
                openid: r.get(4)?,
                description: r.get(5)?,
                amount_fen: r.get(6)?,
                payee_name: r.get(7)?,
                state: if r.get::<_, String>(8)? == "paid" {
                    OrderState::Paid
                } else {
                    OrderState::Created
                },
                created_at: r.get(9)?,
                paid_at: r.get(10)?,
            },
        ))
    })?;
    let ([id, program], mut o) = row.ok_or_else(not_found)?;
    o.id = super::parse_uuid(&id)?;
    o.mini_program_id = super::parse_uuid(&program)?;
    Ok(o)
}

/// Who receives a mini-program's money: the owner of the account that publishes it.
fn payee(c: &Conn, program: Uuid) -> ApiResult<(Uuid, Uuid)> {
    let row: Option<(String, String)> = sql::one(
        c,
        "SELECT a.owner_id, a.id FROM mini_programs m JOIN official_accounts a ON a.id = m.account_id
         WHERE m.id = $1",
        &[&program.to_string()],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let (owner, account) = row.ok_or_else(super::mini_programs::not_found)?;
    Ok((super::parse_uuid(&owner)?, super::parse_uuid(&account)?))
}

fn pay(cx: &mut WriteCx, payer: Uuid, id: Uuid) -> ApiResult<MiniProgramOrder> {
    sql::lock_row(&cx.conn, "mini_program_orders", id)?;
    let o = order(
        &cx.conn,
        "WHERE o.id = $1 AND o.user_id = $2",
        &[&id.to_string(), &payer.to_string()],
    )?;
    // Confirmed twice (a double click, a retry after a lost answer): paid once.
    if o.state == OrderState::Paid {
        return Ok(o);
    }
    let (owner, account) = payee(&cx.conn, o.mini_program_id)?;
    rules::not_to_self(payer, owner)?;
    ledger::open_wallet(&cx.conn, owner)?;
    let transaction = ledger::post(
        &cx.conn,
        Entry {
            kind: "mini_program_order",
            memo: &format!("{}: {}", o.mini_program_name, o.description),
            reference: Some(o.id),
        },
        &[
            Posting {
                account: ledger::wallet_account(payer),
                amount: -o.amount_fen,
                bill: BillKind::PaymentOut,
                counterparty: Some(owner),
            },
            Posting {
                account: ledger::wallet_account(owner),
                amount: o.amount_fen,
                bill: BillKind::PaymentIn,
                counterparty: Some(payer),
            },
        ],
    )?;
    let now = now_ms();
    let changed = sql::exec(
        &cx.conn,
        "UPDATE mini_program_orders SET state = 'paid', paid_at = $2, transaction_id = $3
         WHERE id = $1 AND state = 'created'",
        &[&id.to_string(), &now, &transaction.to_string()],
    )?;
    if changed != 1 {
        return Err(ApiError::Internal("order changed while being paid".into()));
    }
    let paid = order(&cx.conn, "WHERE o.id = $1", &[&id.to_string()])?;
    let name = |user: Uuid| -> ApiResult<String> {
        sql::one(
            &cx.conn,
            "SELECT display_name FROM users WHERE id = $1",
            &[&user.to_string()],
            |r| r.get(0),
        )?
        .ok_or_else(|| ApiError::Internal("payer or payee without a user row".into()))
    };
    let payment = Payment {
        id: transaction,
        payer_id: payer,
        payer_name: name(payer)?,
        payee_id: owner,
        payee_name: paid.payee_name.clone(),
        amount_fen: paid.amount_fen,
        note: format!("{}: {}", paid.mini_program_name, paid.description),
        via: PaymentVia::MiniProgram,
        created_at: now,
    };
    cx.out
        .append_all(&cx.conn, &[payer, owner], EventBody::Payment { payment })?;
    let event = OrderPaidEvent {
        id: Uuid::now_v7(),
        kind: "order_paid".into(),
        account_id: account,
        order: paid.clone(),
        at: now,
    };
    enqueue_body(cx, account, event.id, &event)?;
    Ok(paid)
}

impl Store {
    /// The backend creates (or, with the same `out_trade_no` and the same terms, finds again)
    /// an order for the user behind `openid`.
    pub async fn create_order(
        &self,
        account: Uuid,
        app_id: String,
        new: NewOrder,
    ) -> ApiResult<MiniProgramOrder> {
        self.write(move |cx| {
            let program = of_account(&cx.conn, account, &app_id)?;
            let p = program.to_string();
            let found = order(&cx.conn, "WHERE o.mini_program_id = $1 AND o.out_trade_no = $2", &[&p, &new.out_trade_no]);
            match found {
                Ok(o) if o.openid == new.openid && o.amount_fen == new.amount_fen && o.description == new.description => return Ok(o),
                Ok(_) => {
                    return Err(ApiError::new(
                        ErrorCode::IdempotencyConflict,
                        "This out_trade_no is already an order with other terms.",
                    ))
                }
                Err(ApiError::Client(ErrorCode::OrderNotFound, _)) => {}
                Err(e) => return Err(e),
            }
            let user: Option<String> = sql::one(
                &cx.conn,
                "SELECT user_id FROM mini_program_openids WHERE mini_program_id = $1 AND openid = $2",
                &[&p, &new.openid],
                |r| r.get(0),
            )?;
            let user = user.ok_or_else(|| {
                ApiError::new(ErrorCode::UserNotFound, "No user of this mini-program has this openid.")
            })?;
            let id = Uuid::now_v7();
            sql::exec(
                &cx.conn,
                "INSERT INTO mini_program_orders
                   (id, mini_program_id, out_trade_no, user_id, openid, description, amount_fen, state, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, 'created', $8)",
                &[&id.to_string(), &p, &new.out_trade_no, &user, &new.openid, &new.description,
                  &new.amount_fen, &now_ms()],
            )?;
            order(&cx.conn, "WHERE o.id = $1", &[&id.to_string()])
        })
        .await
    }

    /// An order as its backend sees it.
    pub async fn backend_order(
        &self,
        account: Uuid,
        app_id: String,
        id: Uuid,
    ) -> ApiResult<MiniProgramOrder> {
        self.reads
            .run(move |c| {
                let program = of_account(c, account, &app_id)?;
                order(
                    c,
                    "WHERE o.id = $1 AND o.mini_program_id = $2",
                    &[&id.to_string(), &program.to_string()],
                )
            })
            .await
    }

    /// An order as its payer sees it before paying: only the payer can see it.
    pub async fn payer_order(&self, payer: Uuid, id: Uuid) -> ApiResult<MiniProgramOrder> {
        self.reads
            .run(move |c| {
                order(
                    c,
                    "WHERE o.id = $1 AND o.user_id = $2",
                    &[&id.to_string(), &payer.to_string()],
                )
            })
            .await
    }

    /// Pays the order (the caller checked the PIN).
    pub async fn pay_order(&self, payer: Uuid, id: Uuid) -> ApiResult<MiniProgramOrder> {
        self.write(move |cx| pay(cx, payer, id)).await
    }
}

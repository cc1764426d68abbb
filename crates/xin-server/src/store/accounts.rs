use uuid::Uuid;
use xin_proto::UserProfile;

use super::{parse_uuid, sql, Store};
use crate::error::{ApiError, ApiResult};

pub struct NewUser {
    pub id: Uuid,
    pub handle: String,
    pub phone: String,
    pub display_name: String,
    pub password_hash: String,
    pub avatar_hue: u16,
    pub created_at: i64,
}

pub enum CreateUserError {
    HandleTaken,
    PhoneTaken,
    Store(ApiError),
}

pub struct UserRow {
    pub profile: UserProfile,
    pub password_hash: String,
}

const BY_LOGIN: &str = "SELECT id, handle, display_name, avatar_hue, password_hash FROM users
                        WHERE handle_key = $1 OR phone = $2";
const BY_ID: &str =
    "SELECT id, handle, display_name, avatar_hue, password_hash FROM users WHERE id = $1";

fn user_row(row: &sql::Row) -> ApiResult<UserRow> {
    let hue: i64 = row.get("avatar_hue")?;
    Ok(UserRow {
        profile: UserProfile {
            id: parse_uuid(&row.get::<_, String>("id")?)?,
            handle: row.get("handle")?,
            display_name: row.get("display_name")?,
            avatar_hue: u16::try_from(hue).unwrap_or(0),
        },
        password_hash: row.get("password_hash")?,
    })
}

impl Store {
    pub async fn create_user(&self, user: NewUser) -> Result<(), CreateUserError> {
        let created = self
            .write(move |cx| {
                let c = &cx.conn;
                let inserted = sql::exec(
                    c,
                    "INSERT INTO users (id, handle, handle_key, phone, display_name, password_hash, avatar_hue, created_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING",
                    &[
                        &user.id.to_string(),
                        &user.handle,
                        &user.handle.to_lowercase(),
                        &user.phone,
                        &user.display_name,
                        &user.password_hash,
                        &user.avatar_hue,
                        &user.created_at,
                    ],
                )?;
                if inserted == 1 {
                    return Ok(Ok(()));
                }
                let phone_taken =
                    sql::one(c, "SELECT 1 FROM users WHERE phone = $1", &[&user.phone], |_| Ok(()))?
                        .is_some();
                Ok(Err(if phone_taken {
                    CreateUserError::PhoneTaken
                } else {
                    CreateUserError::HandleTaken
                }))
            })
            .await;
        created.map_err(CreateUserError::Store)?
    }

    /// Finds a user by handle (any case) or phone number.
    pub async fn user_by_login(&self, handle_key: &str, phone: &str) -> ApiResult<Option<UserRow>> {
        let (handle_key, phone) = (handle_key.to_owned(), phone.to_owned());
        self.reads
            .run(move |c| sql::one(c, BY_LOGIN, &[&handle_key, &phone], user_row))
            .await
    }

    /// A user's row, password hash included.
    pub async fn user_row(&self, id: Uuid) -> ApiResult<Option<UserRow>> {
        self.reads
            .run(move |c| sql::one(c, BY_ID, &[&id.to_string()], user_row))
            .await
    }

    pub async fn user(&self, id: Uuid) -> ApiResult<Option<UserProfile>> {
        Ok(self.user_row(id).await?.map(|u| u.profile))
    }
}

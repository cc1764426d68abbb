use sqlx::Row;
use uuid::Uuid;
use xin_proto::UserProfile;

use super::{parse_uuid, Store};
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

const USER_COLUMNS: &str = "id, handle, display_name, avatar_hue, password_hash";

fn user_row(row: &sqlx::sqlite::SqliteRow) -> ApiResult<UserRow> {
    let hue: i64 = row.try_get("avatar_hue")?;
    Ok(UserRow {
        profile: UserProfile {
            id: parse_uuid(&row.try_get::<String, _>("id")?)?,
            handle: row.try_get("handle")?,
            display_name: row.try_get("display_name")?,
            avatar_hue: u16::try_from(hue).unwrap_or(0),
        },
        password_hash: row.try_get("password_hash")?,
    })
}

impl Store {
    pub async fn create_user(&self, user: NewUser) -> Result<(), CreateUserError> {
        let result = sqlx::query(
            "INSERT INTO users (id, handle, handle_key, phone, display_name, password_hash, avatar_hue, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(user.id.to_string())
        .bind(&user.handle)
        .bind(user.handle.to_lowercase())
        .bind(&user.phone)
        .bind(&user.display_name)
        .bind(&user.password_hash)
        .bind(i64::from(user.avatar_hue))
        .bind(user.created_at)
        .execute(&self.pool)
        .await;
        match result {
            Ok(_) => Ok(()),
            Err(sqlx::Error::Database(db)) if db.is_unique_violation() => {
                if db.message().contains("phone") {
                    Err(CreateUserError::PhoneTaken)
                } else {
                    Err(CreateUserError::HandleTaken)
                }
            }
            Err(e) => Err(CreateUserError::Store(e.into())),
        }
    }

    /// Finds a user by handle (any case) or phone number.
    pub async fn user_by_login(&self, handle_key: &str, phone: &str) -> ApiResult<Option<UserRow>> {
        let row = sqlx::query(&format!(
            "SELECT {USER_COLUMNS} FROM users WHERE handle_key = $1 OR phone = $2"
        ))
        .bind(handle_key)
        .bind(phone)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(user_row).transpose()
    }

    /// A user's row, password hash included.
    pub async fn user_row(&self, id: Uuid) -> ApiResult<Option<UserRow>> {
        let row = sqlx::query(&format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1"))
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(user_row).transpose()
    }

    pub async fn user(&self, id: Uuid) -> ApiResult<Option<UserProfile>> {
        let row = sqlx::query(&format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1"))
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.as_ref().map(user_row).transpose()?.map(|u| u.profile))
    }
}
